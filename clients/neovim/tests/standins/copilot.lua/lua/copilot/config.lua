--- copilot.lua's `copilot.config`: a module table whose fields are the merged options.
local M = {
  suggestion = { keymap = { accept = '<M-l>' } },
  ---@type fun(bufnr: integer, bufname: string): boolean
  should_attach = function(bufnr)
    return vim.bo[bufnr].buflisted and vim.bo[bufnr].buftype == ''
  end,
}

function M.merge_with_user_configs(user)
  for k, v in pairs(vim.tbl_deep_extend('force', M, user)) do
    M[k] = v
  end
end

return M
