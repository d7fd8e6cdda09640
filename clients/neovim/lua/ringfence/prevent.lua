--- Prevention: no AI inline suggestion is offered in a buffer whose level denies it.
---
--- A source is held back in a buffer when the server's `ringfence/explain` answer denies its tool's
--- edits there (`toolEdits[tool] == 'deny'`, else `externalEdits == 'deny'`; an in-house tool by
--- `inhouseEdits`; docs/protocol.md). Each
--- source is switched off through its own per-buffer switch, and switched back when a later answer
--- allows it (policy edit, rename, `:saveas`): the user's previous value comes back, and a value the
--- user changed meanwhile is left alone.
---
--- | source | held back by | taken back by |
--- | copilot.lua | `vim.b.copilot_suggestion_hidden = true`, `should_attach` refusing, `buf_detach_if_attached` | previous value, `buf_attach` |
--- | copilot.vim | `b:copilot_enabled = v:false` (`b:copilot_disabled = v:true` when the user set it) | previous values |
--- | windsurf.vim | `b:codeium_enabled = v:false` | previous value |
--- | windsurf.nvim | `virtual_text.filetype_enabled(buf)` answers false (no buffer switch of its own), `clear()` | answers as before |
--- | supermaven-nvim | `condition()` true in the buffer (checked on `BufEnter`; the agent is stopped) | restarted if we stopped it |
--- | Neovim 0.12 | `vim.lsp.inline_completion.enable(false, { bufnr })` | `enable(true, …)` if it was on |

local api = vim.api

local M = {}

---@class ringfence.Source one inline-completion plugin the plugin knows how to hold back
---@field name string shown in notices and `:checkhealth`
---@field key string option key in `integrations` (the same plugin's accept wrapper)
---@field tool fun(buf: integer): string tool id its suggestions carry
---@field found fun(): boolean the plugin is loaded
---@field hold fun(buf: integer): any, string saved state and what was done
---@field release fun(buf: integer, saved: any)

---@class ringfence.Hold what was done to one source in one buffer
---@field source string
---@field tool string
---@field detail string
---@field saved any

---@class ringfence.BufferHold the sources held back in one buffer and why
---@field level string
---@field zone? string
---@field holds table<string, ringfence.Hold>
---@field notified boolean
---@field holding? string the source being held back right now

---@type table<integer, ringfence.BufferHold>
local buffers = {}

---@type table<string, string> sources found that this version of the plugin cannot hold back, and why
local unable = {}

---@param module string
---@return table?
local function loaded(module)
  local mod = package.loaded[module]
  return type(mod) == 'table' and mod or nil
end

---@param buf integer
---@return boolean
local function is_held(buf)
  local b = buffers[buf]
  return b ~= nil and next(b.holds) ~= nil
end

--- Whether the explain answer `info` denies the edits of `tool`: an in-house tool (the assistant,
--- `inhouseTools`) by `inhouseEdits`, an external one by `toolEdits[tool]`, else `externalEdits`.
---@param info ringfence.Explain
---@param tool string
---@return boolean
function M.denies(info, tool)
  local inhouse = type(info.inhouseTools) == 'table' and vim.tbl_contains(info.inhouseTools, tool)
  if inhouse or (type(info.assistant) == 'string' and info.assistant == tool) then
    return info.inhouseEdits == 'deny'
  end
  local per_tool = type(info.toolEdits) == 'table' and info.toolEdits[tool]
  if type(per_tool) == 'string' then
    return per_tool == 'deny'
  end
  return info.externalEdits == 'deny'
end

-- Buffer variables ------------------------------------------------------------------------------

---@class ringfence.SavedVar
---@field name string
---@field prev any
---@field set any

--- Sets `b:NAME` to `value` and returns what to put back.
---@param buf integer
---@param name string
---@param value any
---@return ringfence.SavedVar
local function swap_var(buf, name, value)
  local saved = { name = name, prev = vim.b[buf][name], set = value }
  vim.b[buf][name] = value
  return saved
end

--- Puts back the user's value, unless the user changed the variable since.
---@param buf integer
---@param saved ringfence.SavedVar
local function restore_var(buf, saved)
  if vim.deep_equal(vim.b[buf][saved.name], saved.set) then
    vim.b[buf][saved.name] = saved.prev -- nil unsets it
  end
end

---@param saved ringfence.SavedVar
---@return string
local function describe_var(saved)
  return ('b:%s = %s (was %s)'):format(
    saved.name,
    tostring(saved.set),
    saved.prev == nil and 'unset' or tostring(saved.prev)
  )
end

-- Sources ---------------------------------------------------------------------------------------

--- Wraps a predicate of a plugin so it answers `held` in buffers where `source` is held back
--- (idempotent per table; the plugin's own answer everywhere else).
---@param source string
---@param tbl table
---@param field string
---@param held any the answer in a held buffer
---@param buf_of fun(...): integer? which buffer a call is about
local function guard(source, tbl, field, held, buf_of)
  require('ringfence.integrations').wrap_field(tbl, field, function(orig)
    return function(...)
      local buf = buf_of(...)
      local b = buf and buffers[buf]
      if b and (b.holds[source] or b.holding == source) then
        return held
      end
      return orig(...)
    end
  end)
end

---@param bufnr? integer
---@return integer
local function resolve(bufnr)
  return (type(bufnr) ~= 'number' or bufnr == 0) and api.nvim_get_current_buf() or bufnr
end

--- The tool id of a plugin's suggestions, from the client's one tool-id table
--- (`integrations.tool_id()`: `copilot.lua` -> `copilot`, `windsurf.vim` -> `windsurf`).
---@param name string
---@return fun(): string
local function tool_of(name)
  return function()
    return require('ringfence.integrations').tool_id(name)
  end
end

---@type ringfence.Source[]
M.sources = {
  {
    name = 'copilot.lua',
    key = 'copilot_lua',
    tool = tool_of('copilot.lua'),
    found = function()
      return loaded('copilot.suggestion') ~= nil or loaded('copilot.client') ~= nil
    end,
    hold = function(buf)
      local done = {} ---@type string[]
      local saved = { hidden = swap_var(buf, 'copilot_suggestion_hidden', true) }
      done[1] = describe_var(saved.hidden)
      local config = loaded('copilot.config')
      if config and type(config.should_attach) == 'function' then
        guard('copilot.lua', config, 'should_attach', false, function(bufnr)
          return resolve(bufnr)
        end)
        done[#done + 1] = 'should_attach refuses the buffer'
      end
      local client = loaded('copilot.client')
      if client and type(client.buf_is_attached) == 'function' and client.buf_is_attached(buf) then
        if type(client.buf_detach_if_attached) == 'function' then
          client.buf_detach_if_attached(buf)
          saved.detached = true
          done[#done + 1] = 'detached from the copilot client'
        end
      end
      return saved, table.concat(done, ', ')
    end,
    release = function(buf, saved)
      restore_var(buf, saved.hidden)
      -- attach as copilot.lua's BufEnter would (its should_attach decides), whether we detached it or
      -- refused it on an earlier BufEnter
      local client = loaded('copilot.client')
      if client and type(client.buf_attach) == 'function' and not client.buf_is_attached(buf) then
        client.buf_attach(false, buf)
      end
    end,
  },
  {
    name = 'copilot.vim',
    key = 'copilot_vim',
    tool = tool_of('copilot.vim'),
    found = function()
      return vim.g.loaded_copilot ~= nil or vim.fn.exists('*copilot#Accept') == 1
    end,
    hold = function(buf)
      local saved = { swap_var(buf, 'copilot_enabled', false) }
      if vim.b[buf].copilot_disabled ~= nil then -- copilot.vim reads it before b:copilot_enabled
        saved[2] = swap_var(buf, 'copilot_disabled', true)
      end
      if buf == api.nvim_get_current_buf() and vim.fn.exists('*copilot#Clear') == 1 then
        pcall(vim.fn['copilot#Clear'])
      end
      return saved, table.concat(vim.tbl_map(describe_var, saved), ', ')
    end,
    release = function(buf, saved)
      for _, s in ipairs(saved) do
        restore_var(buf, s)
      end
    end,
  },
  {
    name = 'windsurf.vim',
    key = 'windsurf',
    tool = tool_of('windsurf.vim'),
    found = function()
      return vim.g.loaded_codeium ~= nil or vim.fn.exists('*codeium#Accept') == 1
    end,
    hold = function(buf)
      local saved = swap_var(buf, 'codeium_enabled', false)
      if buf == api.nvim_get_current_buf() and vim.fn.exists('*codeium#Clear') == 1 then
        pcall(vim.fn['codeium#Clear'])
      end
      return saved, describe_var(saved)
    end,
    release = restore_var,
  },
  {
    name = 'windsurf.nvim',
    key = 'windsurf',
    tool = tool_of('windsurf.nvim'),
    found = function()
      return loaded('codeium.virtual_text') ~= nil
    end,
    hold = function(buf)
      local vt = assert(loaded('codeium.virtual_text'))
      if type(vt.filetype_enabled) ~= 'function' then
        return nil, 'cannot hold back: no virtual_text.filetype_enabled() in this version'
      end
      guard('windsurf.nvim', vt, 'filetype_enabled', false, function(bufnr)
        return resolve(bufnr)
      end)
      if buf == api.nvim_get_current_buf() and type(vt.clear) == 'function' then
        pcall(vt.clear)
      end
      return true, 'virtual_text.filetype_enabled() answers false for the buffer'
    end,
    release = function() end, -- the guard answers as before once the buffer is released
  },
  {
    name = 'supermaven-nvim',
    key = 'supermaven',
    tool = tool_of('supermaven-nvim'),
    found = function()
      return loaded('supermaven-nvim.config') ~= nil or loaded('supermaven-nvim.completion_preview') ~= nil
    end,
    hold = function(buf)
      local config = loaded('supermaven-nvim.config')
      local settings = config and rawget(config, 'config')
      if type(settings) ~= 'table' or type(settings.condition) ~= 'function' then
        return nil, 'cannot hold back: no config.condition() in this version'
      end
      guard('supermaven-nvim', settings, 'condition', true, function()
        return api.nvim_get_current_buf()
      end)
      local saved = {}
      local sm = loaded('supermaven-nvim.api')
      if buf == api.nvim_get_current_buf() and sm and sm.is_running and sm.is_running() then
        sm.stop()
        saved.stopped = true
      end
      return saved, 'condition() is true in the buffer (supermaven stops on entering it)'
    end,
    release = function(buf, saved)
      local sm = loaded('supermaven-nvim.api')
      if saved.stopped and sm and buf == api.nvim_get_current_buf() and not sm.is_running() then
        sm.start()
      end
    end,
  },
  {
    name = 'vim.lsp.inline_completion',
    key = 'inline_completion',
    tool = function(buf)
      return require('ringfence.integrations').inline_tool(buf)
    end,
    found = function()
      local ic = vim.lsp.inline_completion
      return ic ~= nil and type(ic.enable) == 'function' and type(ic.is_enabled) == 'function'
    end,
    hold = function(buf)
      local ic = vim.lsp.inline_completion
      local was = ic.is_enabled({ bufnr = buf })
      ic.enable(false, { bufnr = buf })
      return { was = was }, ('enable(false, { bufnr = %d }) (was %s)'):format(buf, was and 'on' or 'off')
    end,
    release = function(buf, saved)
      if saved.was then
        vim.lsp.inline_completion.enable(true, { bufnr = buf })
      end
    end,
  },
}

-- Holding and releasing ---------------------------------------------------------------------------

---@return boolean
local function enabled()
  local opts = require('ringfence.config').get().prevent or {}
  return opts.enabled ~= false
end

---@param source ringfence.Source
---@return boolean
local function wanted(source)
  local integrations = require('ringfence.config').get().integrations or {}
  return integrations[source.key] ~= false and source.found()
end

---@param buf integer
---@param name string
local function release_one(buf, name)
  local b = buffers[buf]
  local hold = b and b.holds[name]
  if not hold then
    return
  end
  b.holds[name] = nil
  for _, source in ipairs(M.sources) do
    if source.name == name and api.nvim_buf_is_valid(buf) then
      local ok, err = pcall(source.release, buf, hold.saved)
      if not ok then
        vim.notify(('ringfence: could not give %s back to the buffer: %s'):format(name, err), vim.log.levels.WARN)
      end
    end
  end
end

--- Gives every held source of `buf` back (the buffer's level allows them again, or the plugin is off).
---@param buf integer
function M.release(buf)
  local b = buffers[buf]
  if not b then
    return
  end
  for name in pairs(vim.deepcopy(b.holds)) do
    release_one(buf, name)
  end
  buffers[buf] = nil
  pcall(vim.cmd.redrawstatus)
end

--- In-house alternative to name in the notice.
---@param info ringfence.Explain
---@return string
local function alternative(info)
  if info.inhouseEdits == 'deny' then
    return 'this zone is for hand-written code only'
  end
  local assistant = type(info.assistant) == 'string' and info.assistant ~= '' and info.assistant or nil
  if assistant then
    return ('use :Ringfence handoff to move the work to %s'):format(assistant)
  end
  return 'use the in-house assistant (:Ringfence handoff) instead'
end

---@param buf integer
---@param info ringfence.Explain
local function notify_once(buf, info)
  local b = buffers[buf]
  local opts = require('ringfence.config').get().prevent or {}
  if not b or b.notified or not next(b.holds) or opts.notify == false then
    return
  end
  b.notified = true
  local names = vim.tbl_keys(b.holds)
  table.sort(names)
  local where = type(info.zone) == 'string' and ('zone %s is %s'):format(info.zone, info.level)
    or ('the file is %s'):format(info.level)
  local file = vim.fn.fnamemodify(api.nvim_buf_get_name(buf), ':.')
  vim.notify(
    ('ringfence: AI suggestions held back in %s (%s): %s; %s'):format(
      file,
      where,
      table.concat(names, ', '),
      alternative(info)
    ),
    vim.log.levels.WARN,
    { title = 'ringfence' }
  )
end

--- Holds back or gives back the sources of `buf` after a new explain answer `info`.
---@param buf integer
---@param info ringfence.Explain
function M.update(buf, info)
  if not api.nvim_buf_is_valid(buf) then
    return M.forget(buf)
  end
  if not enabled() or type(info) ~= 'table' then
    return M.release(buf)
  end
  local b = buffers[buf] or { level = info.level, holds = {}, notified = false }
  if b.level ~= info.level or b.zone ~= info.zone then
    b.notified = false -- a new level or zone gets its own notice
  end
  b.level, b.zone = info.level, type(info.zone) == 'string' and info.zone or nil
  buffers[buf] = b
  for _, source in ipairs(M.sources) do
    local deny = wanted(source) and M.denies(info, source.tool(buf))
    if deny and not b.holds[source.name] then
      b.holding = source.name -- the guards answer for it while it is being held back
      local ok, saved, detail = pcall(source.hold, buf)
      b.holding = nil
      if ok and saved ~= nil then
        b.holds[source.name] = { source = source.name, tool = source.tool(buf), detail = detail, saved = saved }
      elseif ok then
        unable[source.name] = detail
      else
        vim.notify(('ringfence: could not hold back %s: %s'):format(source.name, saved), vim.log.levels.WARN)
      end
    elseif not deny and b.holds[source.name] then
      release_one(buf, source.name)
    end
  end
  if not next(b.holds) then
    buffers[buf] = nil
  else
    notify_once(buf, info)
  end
  pcall(vim.cmd.redrawstatus)
end

--- Holds back sources loaded since the last answer (a lazily loaded plugin), from the cached answer.
---@param buf integer
function M.recheck(buf)
  local info = require('ringfence.status').get(buf)
  if info then
    M.update(buf, info)
  end
end

--- Gives back everything held in `buf` and forgets it (buffer wiped, client detached).
---@param buf integer
function M.forget(buf)
  M.release(buf)
end

--- Whether suggestions are held back in `buf`.
---@param buf? integer
---@return boolean
function M.is_held(buf)
  return is_held(resolve(buf))
end

--- Every buffer with held sources, for `:checkhealth ringfence`.
---@return table<integer, ringfence.BufferHold>
function M.buffers()
  return buffers
end

--- Sources the plugin knows, with whether each is loaded now (and why one cannot be held back),
--- for `:checkhealth ringfence`.
---@return { name: string, found: boolean, enabled: boolean, unable?: string }[]
function M.found()
  local integrations = require('ringfence.config').get().integrations or {}
  return vim.tbl_map(function(source)
    local ok, found = pcall(source.found)
    return {
      name = source.name,
      found = ok and found or false,
      enabled = integrations[source.key] ~= false,
      unable = unable[source.name],
    }
  end, M.sources)
end

return M
