import {
  to = identity_settings.this
  id = "settings"
}
