-- A plugin that allocates until it is stopped by its memory limit.
local hoard = {}
return {
  on_message = function(text)
    while true do
      hoard[#hoard + 1] = text:rep(1000) .. #hoard
    end
  end,
}
