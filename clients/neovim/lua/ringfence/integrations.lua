--- Built-in wrappers around the accept functions of AI completion plugins, plus the paste, undo and
--- format reporters. A wrapper is installed only once its plugin is loaded (`package.loaded` for Lua
--- plugins, an accept mapping for Vimscript ones); installing is idempotent and runs again on
--- `InsertEnter` and lazy.nvim's `LazyLoad`, so plugins loaded late are wrapped before their first accept.
---
--- | plugin | what is wrapped | how the suggestion lands |
--- | copilot.lua | `require('copilot.suggestion').accept` (accept_word/accept_line call it) | scheduled `apply_text_edits` |
--- | copilot.vim | insert-mode `<expr>` mappings calling `copilot#Accept*()` | returned keys (`<C-R><C-O>=`) |
--- | Neovim 0.12 | `vim.lsp.inline_completion.get` (and its `on_accept`) | scheduled `nvim_buf_set_text` |
--- | windsurf.nvim | `require('codeium.virtual_text').accept`, `accept_next_word`, `accept_next_line` | returned keys |
--- | windsurf.vim | insert-mode `<expr>` mappings calling `codeium#Accept*()` | returned keys |
--- | supermaven-nvim | `require('supermaven-nvim.completion_preview').on_accept_suggestion` | `apply_text_edits` |

local api = vim.api
local track = require('ringfence.track')

local M = {}

---@class ringfence.IntegrationState
---@field name string plugin name
---@field key string option key in `integrations`
---@field active boolean wrapper installed
---@field detail string what is wrapped, or why not

---@type table<string, ringfence.IntegrationState>
local states = {}

---@param name string
---@param key string
---@param active boolean
---@param detail string
local function set_state(name, key, active, detail)
  states[name] = { name = name, key = key, active = active, detail = detail }
end

--- Maps an inline-completion language server's client name to a canonical tool id (docs/policy.md, "Approved tools"); other names
--- (in-house assistants included) pass through unchanged.
---@param name string
---@return string
function M.tool_id(name)
  local lower = name:lower()
  if lower:find('copilot', 1, true) then
    return 'copilot'
  elseif lower:find('codeium', 1, true) or lower:find('windsurf', 1, true) then
    return 'windsurf'
  elseif lower:find('supermaven', 1, true) then
    return 'supermaven'
  end
  return name
end

--- Re-points global and buffer-local keymaps whose callback is `old` to `new` (plugins bind their
--- accept function by reference at setup time).
---@param old function
---@param new function
local function rebind(old, new)
  for _, mode in ipairs({ 'i', 'n', 'x', 's' }) do
    local maps = vim.list_extend(api.nvim_get_keymap(mode), api.nvim_buf_get_keymap(0, mode))
    for _, map in ipairs(maps) do
      if map.callback == old then
        vim.keymap.set(mode, map.lhs, new, {
          buffer = map.buffer ~= 0 and api.nvim_get_current_buf() or nil,
          expr = map.expr == 1,
          replace_keycodes = map.expr == 1 and map.replace_keycodes == 1 or nil,
          silent = map.silent == 1,
          nowait = map.nowait == 1,
          -- <script> mappings remap only script-local mappings: keep them from remapping at all
          remap = map.noremap ~= 1 and map.script ~= 1,
          desc = map.desc,
        })
      end
    end
  end
end

---@type table<table, table<string, function>> originals per wrapped table
local originals = setmetatable({}, { __mode = 'k' })

--- Replaces `tbl[field]` with a wrapper built by `make(original)` and re-points keymaps bound to
--- the original. Idempotent.
---@param tbl table
---@param field string
---@param make fun(original: function): function
---@return boolean wrapped
function M.wrap_field(tbl, field, make)
  local orig = tbl[field]
  if type(orig) ~= 'function' then
    return false
  end
  originals[tbl] = originals[tbl] or {}
  if originals[tbl][field] then
    return true
  end
  local wrapped = make(orig)
  originals[tbl][field] = orig
  tbl[field] = wrapped
  rebind(orig, wrapped)
  return true
end

--- Wraps a function that applies an AI suggestion: it runs inside a capture.
---@param origin ringfence.Origin
---@param defer? boolean|fun(...): boolean
---@return fun(original: function): function
function M.tracked(origin, defer)
  return function(orig)
    return function(...)
      return track.run(origin, orig, defer, ...)
    end
  end
end

--- Wraps an expression-mapping function that returns keys which apply an AI suggestion: when the
--- keys insert text, they are surrounded with keys that open and close a capture.
---@param origin ringfence.Origin
---@param raw boolean the function returns key codes (true) or `<>` notation
---@return fun(original: function): function
function M.tracked_keys(origin, raw)
  return function(orig)
    return function(...)
      local keys = orig(...)
      if not track.inserts_text(keys) then
        return keys
      end
      local begin, finish = track.keys(origin, raw)
      return begin .. keys .. finish
    end
  end
end

local function suggestion(tool)
  return { origin = 'ai', tool = tool, kind = 'inline-completion' }
end

---@param module string
---@return table?
local function loaded(module)
  local mod = package.loaded[module]
  return type(mod) == 'table' and mod or nil
end

local function install_copilot_lua()
  local mod = loaded('copilot.suggestion')
  if not mod then
    return set_state('copilot.lua', 'copilot_lua', false, 'not loaded')
  end
  -- accept() applies the text in a vim.schedule() callback: keep capturing until it has run.
  local ok = M.wrap_field(mod, 'accept', M.tracked(suggestion('copilot'), true))
  set_state('copilot.lua', 'copilot_lua', ok, ok and "require('copilot.suggestion').accept wrapped" or 'no accept()')
end

local function install_supermaven()
  local mod = loaded('supermaven-nvim.completion_preview')
  if not mod then
    return set_state('supermaven-nvim', 'supermaven', false, 'not loaded')
  end
  local ok = M.wrap_field(mod, 'on_accept_suggestion', M.tracked(suggestion('supermaven')))
  set_state(
    'supermaven-nvim',
    'supermaven',
    ok,
    ok and "require('supermaven-nvim.completion_preview').on_accept_suggestion wrapped" or 'no on_accept_suggestion()'
  )
end

local function install_windsurf_nvim()
  local mod = loaded('codeium.virtual_text')
  if not mod then
    return set_state('windsurf.nvim', 'windsurf', false, 'not loaded')
  end
  local wrapped = {} ---@type string[]
  for _, field in ipairs({ 'accept', 'accept_next_word', 'accept_next_line' }) do
    if M.wrap_field(mod, field, M.tracked_keys(suggestion('windsurf'), false)) then
      wrapped[#wrapped + 1] = field
    end
  end
  set_state(
    'windsurf.nvim',
    'windsurf',
    #wrapped > 0,
    #wrapped > 0 and ("require('codeium.virtual_text').%s wrapped"):format(table.concat(wrapped, ', ')) or 'no accept()'
  )
end

--- The tool of a native inline completion: the one inline-completion server attached to `buf`.
---@param buf integer
---@return string
function M.inline_tool(buf)
  local names = {} ---@type string[]
  for _, client in ipairs(vim.lsp.get_clients({ bufnr = buf, method = 'textDocument/inlineCompletion' })) do
    if client.name ~= require('ringfence.client').name then
      names[#names + 1] = client.name
    end
  end
  return #names == 1 and M.tool_id(names[1]) or 'unknown'
end

local function install_inline_completion()
  local ic = vim.lsp.inline_completion
  if not ic or type(ic.get) ~= 'function' then
    return set_state('vim.lsp.inline_completion', 'inline_completion', false, 'needs Neovim 0.12')
  end
  M.wrap_field(ic, 'get', function(orig)
    return function(opts)
      opts = opts or {}
      local buf = (opts.bufnr == nil or opts.bufnr == 0) and api.nvim_get_current_buf() or opts.bufnr
      if opts.on_accept then
        local on_accept = opts.on_accept
        opts = vim.tbl_extend('force', opts, {
          on_accept = function(item)
            local client = vim.lsp.get_client_by_id(item.client_id)
            local tool = client and M.tool_id(client.name) or M.inline_tool(buf)
            return track.run(suggestion(tool), on_accept, false, item)
          end,
        })
        return orig(opts)
      end
      -- get() applies the item in a vim.schedule() callback and returns true when it will.
      return track.run(suggestion(M.inline_tool(buf)), orig, function(accepted)
        return accepted == true
      end, opts)
    end
  end)
  set_state('vim.lsp.inline_completion', 'inline_completion', true, 'vim.lsp.inline_completion.get wrapped')
end

local mapping_desc = 'ringfence: reports the accepted suggestion'

---@type table<string, true> mappings whose expression could not be evaluated outside their script
local unwrappable = {}

--- Wraps insert-mode `<expr>` mappings whose right-hand side calls `pattern` (a Vimscript accept
--- function that returns keys).
---@param pattern string Lua pattern matched against the mapping's right-hand side
---@param tool string
---@return string[] wrapped left-hand sides
local function wrap_accept_mappings(pattern, tool)
  local lhs = {} ---@type string[]
  local maps = vim.list_extend(api.nvim_get_keymap('i'), api.nvim_buf_get_keymap(0, 'i'))
  for _, map in ipairs(maps) do
    local id = map.lhs .. '\0' .. (map.rhs or '')
    if map.expr == 1 and map.rhs and map.rhs:find(pattern) and map.desc ~= mapping_desc and not unwrappable[id] then
      local rhs = map.rhs
      local keys = M.tracked_keys(suggestion(tool), true)(function()
        local ok, result = pcall(vim.fn.eval, rhs)
        if ok then
          return result
        end
        -- the expression needs its script's context: give the mapping back untouched
        unwrappable[id] = true
        vim.schedule(function()
          vim.fn.mapset('i', false, map)
          vim.notify(('ringfence: cannot wrap the %s mapping: %s'):format(map.lhs, result), vim.log.levels.WARN)
        end)
        return ''
      end)
      vim.keymap.set('i', map.lhs, keys, {
        buffer = map.buffer ~= 0 and api.nvim_get_current_buf() or nil,
        expr = true,
        replace_keycodes = false,
        silent = map.silent == 1,
        nowait = map.nowait == 1,
        -- <script> mappings remap only script-local mappings; the accept keys need none.
        remap = map.noremap ~= 1 and map.script ~= 1,
        desc = mapping_desc,
      })
      lhs[#lhs + 1] = map.lhs
    end
  end
  return lhs
end

---@type table<string, string[]> wrapped accept mappings per Vimscript plugin
local wrapped_lhs = {}

---@param name string
---@param key string
---@param pattern string
---@param tool string
local function install_mappings(name, key, pattern, tool)
  local all = wrapped_lhs[name] or {}
  wrapped_lhs[name] = all
  for _, lhs in ipairs(wrap_accept_mappings(pattern, tool)) do
    if not vim.tbl_contains(all, lhs) then
      all[#all + 1] = lhs
    end
  end
  if #all > 0 then
    set_state(name, key, true, ('accept mappings wrapped: %s'):format(table.concat(all, ' ')))
  else
    set_state(name, key, false, ('not loaded (no insert-mode mapping calls %s)'):format(pattern))
  end
end

local paste_installed = false

--- Reports `vim.paste()` as `paste`. An inline completion that applies its text through
--- `nvim_paste()` runs inside an AI capture, which the paste joins: it stays an AI edit.
local function install_paste()
  if paste_installed then
    return
  end
  paste_installed = true
  local orig = vim.paste
  vim.paste = function(lines, phase)
    if not require('ringfence.config').get().report.paste then
      return orig(lines, phase)
    end
    return track.run({ origin = 'paste' }, orig, false, lines, phase)
  end
end

local function install_format()
  if vim.lsp.buf then
    M.wrap_field(vim.lsp.buf, 'format', function(orig)
      return function(opts)
        if not require('ringfence.config').get().report.format or (opts and opts.async) then
          return orig(opts)
        end
        return track.run({ origin = 'format' }, orig, false, opts)
      end
    end)
  end
  local conform = loaded('conform')
  if conform then
    M.wrap_field(conform, 'format', function(orig)
      return function(opts, callback)
        if not require('ringfence.config').get().report.format or (opts and opts.async) then
          return orig(opts, callback)
        end
        return track.run({ origin = 'format' }, orig, false, opts, callback)
      end
    end)
  end
end

--- Installs every enabled wrapper whose plugin is loaded now (idempotent).
function M.install()
  local enabled = require('ringfence.config').get().integrations or {}
  install_paste()
  install_format()
  if enabled.copilot_lua then
    install_copilot_lua()
  end
  if enabled.copilot_vim then
    install_mappings('copilot.vim', 'copilot_vim', 'copilot#Accept', 'copilot')
  end
  if enabled.inline_completion then
    install_inline_completion()
  end
  if enabled.windsurf then
    install_windsurf_nvim()
    install_mappings('windsurf.vim', 'windsurf', 'codeium#Accept', 'windsurf')
  end
  if enabled.supermaven then
    install_supermaven()
  end
end

--- The state of every integration, for `:checkhealth ringfence`.
---@return ringfence.IntegrationState[]
function M.states()
  local enabled = require('ringfence.config').get().integrations or {}
  local list = {} ---@type ringfence.IntegrationState[]
  for _, st in vim.spairs(states) do
    if enabled[st.key] then
      list[#list + 1] = st
    end
  end
  return list
end

local watching = false

--- Installs now, and again whenever a plugin may have been loaded since (idempotent).
function M.watch()
  if watching then
    return M.install()
  end
  watching = true
  local group = api.nvim_create_augroup('ringfence.integrations', { clear = true })
  api.nvim_create_autocmd('InsertEnter', {
    group = group,
    desc = 'ringfence: wrap AI plugins loaded since the last check',
    callback = function(ev)
      M.install()
      vim.schedule(function()
        M.install()
        -- a source loaded since the buffer's last explain answer is held back too
        if vim.api.nvim_buf_is_valid(ev.buf) then
          require('ringfence.prevent').recheck(ev.buf)
        end
      end)
    end,
  })
  api.nvim_create_autocmd('User', {
    group = group,
    pattern = { 'LazyLoad', 'VeryLazy' },
    desc = 'ringfence: wrap AI plugins lazy.nvim has loaded',
    callback = function()
      M.install()
    end,
  })
  M.install()
end

return M
