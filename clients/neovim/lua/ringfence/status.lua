--- The zone of each buffer, from the server's `ringfence/explain` request, cached for the statusline;
--- each answer also decides which AI suggestion sources are held back there (`ringfence.prevent`).
---
--- The statusline never waits on the server: `text()` returns the last answer, and a refresh
--- (on attach, `BufEnter`, after a save, and shortly after edits, since a header marker raises the
--- level) asks again and redraws when the answer arrives.

local api = vim.api
local rf_client = require('ringfence.client')

local M = {}

---@class ringfence.Explain the result of ringfence/explain (docs/protocol.md, "Custom methods")
---@field path string
---@field level string
---@field zone? string
---@field reason? string
---@field owner? string
---@field source? 'zone'|'marker'|'import'|'default'
---@field rule? string `FILE:LINE`, 1-based
---@field exists? boolean
---@field policy? { uri: string, line: integer }
---@field externalEdits? 'allow'|'tag'|'deny'
---@field inhouseEdits? 'allow'|'tag'|'deny'
---@field externalContext? 'allow'|'tag'|'deny'
---@field toolEdits? table<string, 'allow'|'tag'|'deny'> what each external tool's edits get here
---@field assistant? string the in-house assistant a handoff goes to
---@field inhouseTools? string[] tool ids whose edits count as in-house here
---@field error? string

---@type table<integer, ringfence.Explain>
local cache = {}

---@type table<integer, uv.uv_timer_t>
local timers = {}

--- Asks the server why `buf` has its level; `callback(err, result)` runs on the answer.
---@param buf integer
---@param callback? fun(err: string?, result: ringfence.Explain?)
function M.request(buf, callback)
  local client = rf_client.get(buf)
  if not client then
    if callback then
      callback('ringfence is not attached to this buffer (see :checkhealth ringfence)', nil)
    end
    return
  end
  client:request('ringfence/explain', { uri = vim.uri_from_bufnr(buf) }, function(err, result)
    if not err and type(result) == 'table' then
      cache[buf] = result
      require('ringfence.prevent').update(buf, result)
      pcall(vim.cmd.redrawstatus)
    end
    if callback then
      callback(err and (err.message or tostring(err)) or nil, result)
    end
  end, buf)
end

--- Refreshes the cached answer of `buf` now, or after `delay_ms` without further calls.
---@param buf integer
---@param delay_ms? integer
function M.refresh(buf, delay_ms)
  if not delay_ms then
    return M.request(buf)
  end
  local timer = timers[buf]
  if not timer then
    timer = assert(vim.uv.new_timer())
    timers[buf] = timer
  end
  timer:stop()
  timer:start(
    delay_ms,
    0,
    vim.schedule_wrap(function()
      if api.nvim_buf_is_valid(buf) then
        M.request(buf)
      end
    end)
  )
end

--- Refreshes every buffer the server is attached to (after a policy file changed).
function M.refresh_all()
  for buf in pairs(cache) do
    if api.nvim_buf_is_valid(buf) and rf_client.get(buf) then
      M.request(buf)
    end
  end
end

---@param buf integer
---@return ringfence.Explain?
function M.get(buf)
  return cache[buf]
end

---@param buf integer
function M.forget(buf)
  cache[buf] = nil
  require('ringfence.prevent').forget(buf)
  local timer = timers[buf]
  timers[buf] = nil
  if timer and not timer:is_closing() then
    timer:stop()
    timer:close()
  end
end

--- The mark shown while AI suggestions are held back in `buf` (`status.held`, default `⊘ai`), else ''.
---@param buf? integer
---@return string
function M.held(buf)
  buf = (type(buf) ~= 'number' or buf == 0) and api.nvim_get_current_buf() or buf -- lualine passes a table
  if not require('ringfence.prevent').is_held(buf) then
    return ''
  end
  local mark = (require('ringfence.config').get().status or {}).held
  return type(mark) == 'string' and mark or '⊘ai'
end

--- Statusline text for `buf`: `LEVEL · ZONE`, `LEVEL` without a zone, `LEVEL · policy error` while
--- the policy is invalid, empty for open files (unless `status.show_open`) and for buffers the
--- server has not explained; followed by ` ⊘ai` while AI suggestions are held back there.
---@param buf? integer
---@return string
function M.text(buf)
  buf = (type(buf) ~= 'number' or buf == 0) and api.nvim_get_current_buf() or buf -- lualine passes a table
  local text = M.zone_text(buf)
  local held = M.held(buf)
  if held ~= '' then
    return text == '' and held or (text .. ' ' .. held)
  end
  return text
end

--- The level and zone part of |M.text()|.
---@param buf integer
---@return string
function M.zone_text(buf)
  local info = cache[buf]
  if not info or type(info.level) ~= 'string' then
    return ''
  end
  local opts = require('ringfence.config').get().status or {}
  local sep = opts.separator or ' · '
  if type(info.error) == 'string' and info.error ~= '' then
    return info.level .. sep .. 'policy error' -- the server fails closed on an invalid policy
  end
  if info.level == 'open' and not opts.show_open then
    return ''
  end
  if type(info.zone) == 'string' and info.zone ~= '' then
    return info.level .. sep .. info.zone
  end
  return info.level
end

--- Lines describing an explain answer, for `:Ringfence explain`.
---@param info ringfence.Explain
---@param buf? integer the buffer it explains (adds the sources held back there)
---@return string[]
function M.describe(info, buf)
  local zone = type(info.zone) == 'string' and (' · ' .. info.zone) or ''
  local lines = { ('# ringfence: %s%s'):format(info.level, zone), '' }
  local function add(label, value)
    if value ~= nil and value ~= vim.NIL and value ~= '' then
      lines[#lines + 1] = ('- **%s**: %s'):format(label, tostring(value))
    end
  end
  add('reason', info.reason)
  add('owner', info.owner)
  if type(info.rule) == 'string' then
    add('rule', ('%s (%s)'):format(info.rule, info.source or '?'))
  else
    add('rule', 'none: the default level')
  end
  add('external AI edits', info.externalEdits)
  add('in-house AI edits', info.inhouseEdits)
  add('external AI context', info.externalContext)
  if type(info.toolEdits) == 'table' and next(info.toolEdits) then
    local tools = {} ---@type string[]
    for tool, edits in vim.spairs(info.toolEdits) do
      tools[#tools + 1] = ('%s %s'):format(tool, edits)
    end
    add('edits per tool', table.concat(tools, ', '))
  end
  local held = buf and require('ringfence.prevent').buffers()[buf]
  if held then
    local names = vim.tbl_keys(held.holds)
    table.sort(names)
    add('AI suggestions held back', table.concat(names, ', '))
  end
  add('error', info.error)
  if info.exists == false then
    add('note', 'the file does not exist on disk; classified by its path alone')
  end
  return lines
end

return M
