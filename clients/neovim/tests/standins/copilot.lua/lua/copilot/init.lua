--- Stand-in for zbirenbaum/copilot.lua with the same entry points (lua/copilot/init.lua,
--- config/init.lua, client/init.lua, suggestion/init.lua of its source): `setup()` merges the user's
--- `should_attach`, the client attaches buffers on `BufEnter` when `should_attach` agrees, an
--- attached buffer gets the accept keymap, and a suggestion is shown in insert mode unless
--- `vim.b.copilot_suggestion_hidden` is set. No server: the suggestion is a fixed text.
local M = {}

---@param opts? table
function M.setup(opts)
  require('copilot.config').merge_with_user_configs(opts or {})
  require('copilot.client').setup()
  require('copilot.suggestion').setup()
end

return M
