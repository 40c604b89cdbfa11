# consul-template's configuration for the shop. confinit does not read HCL:
# consul-template.yaml beside it says the same thing.
consul {
  address = "consul:8500"
}

wait {
  min = "2s"
  max = "10s"
}

template {
  source      = "/etc/shop/app.ini.ctmpl"
  destination = "/etc/shop/app.ini"
  perms       = 0640
  error_on_missing_key = true
}

exec {
  command       = "/usr/bin/shop --config /etc/shop/app.ini"
  reload_signal = "SIGHUP"
  kill_signal   = "SIGTERM"
  kill_timeout  = "10s"
}
