-- A well-behaved plugin: answers every message.
local count = 0
return {
  on_message = function(text)
    count = count + 1
    log("got message " .. count)
    return text:upper() .. "!"
  end,
}
