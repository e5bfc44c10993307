-- A plugin that never returns (even catching errors): stopped by its time and
-- instruction budget.
return {
  on_message = function()
    while true do
      pcall(function() while true do end end)
    end
  end,
}
