-- A plugin whose hook raises an error every time: the host counts strikes.
return {
  on_message = function(text)
    error("cannot handle '" .. text .. "'")
  end,
}
