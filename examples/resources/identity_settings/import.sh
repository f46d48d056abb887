# The server has one settings object; its id is always "settings".
terraform import identity_settings.this settings
