--- Options of `require('ringfence').setup()`, with their defaults.

local M = {}

---@class ringfence.HeuristicsSettings
---@field enabled? boolean flag large unreported insertions as possible AI edits (RF005)
---@field minLines? integer lines one change must insert to count as large
---@field minChars? integer characters one change must insert to count as large

---@class ringfence.HistorySettings
---@field enabled? boolean read AI trailers and git-ai notes from git history (RF010)

--- Editor settings sent to the server (`init_options.ringfence` and `settings.ringfence`). They tune
--- detection only; they never change what the policy allows. Unset keys keep the server's defaults.
---@class ringfence.Settings
---@field heuristics? ringfence.HeuristicsSettings
---@field history? ringfence.HistorySettings

--- Which edits the client reports so that the server's heuristic does not flag them.
---@class ringfence.ReportOpts
---@field paste? boolean `vim.paste()` (terminal bracketed paste, `nvim_paste`) as `paste` (default true)
---@field put? boolean a large put (`p`, `P`) of register text as `paste` (default true)
---@field undo? boolean undo and redo as `undo` (default true)
---@field format? boolean `vim.lsp.buf.format()` and conform.nvim as `format` (default true)

--- Built-in wrappers of AI plugins' accept functions; each is installed only when its plugin is loaded.
---@class ringfence.IntegrationOpts
---@field copilot_lua? boolean zbirenbaum/copilot.lua (default true)
---@field copilot_vim? boolean github/copilot.vim (default true)
---@field inline_completion? boolean Neovim 0.12 `vim.lsp.inline_completion.get()` (default true)
---@field windsurf? boolean Exafunction windsurf.nvim and windsurf.vim, formerly codeium (default true)
---@field supermaven? boolean supermaven-inc/supermaven-nvim (default true)

---@class ringfence.StatusOpts
---@field separator? string between level and zone (default `' · '`)
---@field show_open? boolean show `open` for files no zone restricts (default false: empty)
---@field held? string appended (after a space) while AI suggestions are held back (default `'⊘ai'`)

--- Holding back AI inline suggestions in buffers whose level denies the suggesting tool's edits.
---@class ringfence.PreventOpts
---@field enabled? boolean switch the known completion sources off there, back on after (default true)
---@field notify? boolean one warning per buffer naming the zone and the alternative (default true)

---@class ringfence.Opts
---@field cmd? string[]|fun(dispatchers: vim.lsp.rpc.Dispatchers): vim.lsp.rpc.PublicClient server command (default `{ 'ringfence', 'lsp' }`)
---@field cli? string[] command that runs the CLI for `:Ringfence export` (default: `cmd` up to `lsp`)
---@field enable? boolean call `vim.lsp.enable('ringfence')` (default true)
---@field settings? ringfence.Settings
---@field report? ringfence.ReportOpts
---@field integrations? ringfence.IntegrationOpts
---@field status? ringfence.StatusOpts
---@field prevent? ringfence.PreventOpts

---@type ringfence.Opts
local defaults = {
  enable = true,
  settings = {},
  report = { paste = true, put = true, undo = true, format = true },
  integrations = {
    copilot_lua = true,
    copilot_vim = true,
    inline_completion = true,
    windsurf = true,
    supermaven = true,
  },
  status = { separator = ' · ', show_open = false, held = '⊘ai' },
  prevent = { enabled = true, notify = true },
}

---@type ringfence.Opts
local current = vim.deepcopy(defaults)

--- Replaces the options with `opts` over the defaults.
---@param opts? ringfence.Opts
function M.set(opts)
  vim.validate('opts', opts, 'table', true)
  current = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
end

---@return ringfence.Opts
function M.get()
  return current
end

--- The heuristic's size thresholds as configured (the server's defaults otherwise).
---@return integer min_lines, integer min_chars
function M.thresholds()
  local h = current.settings and current.settings.heuristics or {}
  return h.minLines or 3, h.minChars or 120
end

return M
