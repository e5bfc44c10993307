-- error(nil)
error(nil)
