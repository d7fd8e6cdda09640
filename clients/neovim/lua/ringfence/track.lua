--- Edit-origin capture: which buffer changes an AI tool, a paste, an undo or a formatter made.
---
--- Every buffer the ringfence client is attached to gets one `on_bytes` listener. While a capture
--- (a "session") is open, the listener records the ranges each change wrote; when it closes, the
--- pending `didChange` is flushed and `ringfence/editOrigin` is sent, so the notification follows
--- the change it describes and carries that version's coordinates (docs/protocol.md, "Custom methods").
---
--- Changes outside a session are "ambient": after the command that made them finishes, an undo or
--- redo (seen through `changenr()`) or a put of register text is reported the same way.
---
--- Flushing: Neovim debounces `didChange` (150 ms). Neovim 0.11 has no public flush; we call
--- `vim.lsp._changetracking.flush(client, bufnr)` (private, guarded with `pcall`). Should it go away,
--- `Client:notify()` itself flushes pending changes before any method other than `didChange`
--- (0.8 to 0.12), so the order stays right either way.

local api = vim.api
local ranges = require('ringfence.ranges')
local rf_client = require('ringfence.client')

local M = {}

--- How long a capture opened by keys may wait for the keys that close it (they may never run when
--- an earlier key of the sequence fails).
M.key_timeout_ms = 500

---@class ringfence.Origin
---@field origin 'ai'|'paste'|'undo'|'format'|'human'
---@field tool? string tool id (`copilot`, `windsurf`, an in-house assistant's name, ...)
---@field model? string
---@field kind? 'inline-completion'|'chat-edit'|'agent'

---@class ringfence.Session : ringfence.Origin
---@field depth integer open captures (nested captures join the outermost)
---@field defer boolean stay open until callbacks scheduled during the capture have run
---@field deferred? boolean
---@field bufs table<integer, ringfence.Range[]> ranges written per buffer
---@field timer? uv.uv_timer_t

---@class ringfence.BufState
---@field ambient ringfence.Range[] changes made outside sessions, not yet classified
---@field pending boolean an ambient check is scheduled
---@field cur integer `changenr()` when last checked
---@field max integer highest change number seen
---@field overflow? true too many ambient changes since the last check

---@type table<integer, ringfence.BufState>
local bufs = {}

---@type ringfence.Session?
local session

---@type table<integer, ringfence.Origin>
local keyed = {}
local next_key = 0

---@param buf integer
---@return integer
local function changenr(buf)
  return api.nvim_buf_call(buf, vim.fn.changenr)
end

---@param buf integer
local function snapshot(buf)
  local st = bufs[buf]
  if st and api.nvim_buf_is_valid(buf) then
    st.cur = changenr(buf)
    st.max = math.max(st.max, st.cur)
  end
end

--- Sends `ringfence/editOrigin` for ranges written in `buf`.
---@param buf integer
---@param origin ringfence.Origin
---@param list ringfence.Range[]
local function send(buf, origin, list)
  if not api.nvim_buf_is_valid(buf) then
    return
  end
  local merged = ranges.merge(list)
  if #merged == 0 or (origin.origin ~= 'ai' and ranges.is_empty(merged[1])) then
    return
  end
  for _, client in ipairs(vim.lsp.get_clients({ bufnr = buf, name = rf_client.name })) do
    pcall(vim.lsp._changetracking.flush, client, buf)
    client:notify('ringfence/editOrigin', {
      textDocument = {
        uri = vim.uri_from_bufnr(buf),
        version = vim.lsp.util.buf_versions[buf] or api.nvim_buf_get_changedtick(buf),
      },
      origin = origin.origin,
      ranges = ranges.to_lsp(buf, merged, client.offset_encoding),
      tool = origin.tool,
      model = origin.model,
      kind = origin.kind,
    })
  end
end

---@param s ringfence.Session
local function finalize(s)
  if session == s then
    session = nil
  end
  if s.timer and not s.timer:is_closing() then
    s.timer:stop()
    s.timer:close()
  end
  for buf, list in pairs(s.bufs) do
    send(buf, s, list)
    snapshot(buf)
  end
end

--- Whether the ambient text of `buf` is a put of register text (what `p` and `P` insert).
---@param buf integer
---@param list ringfence.Range[]
---@return boolean
local function is_put(buf, list)
  local merged = ranges.merge(list)
  if #merged ~= 1 or ranges.is_empty(merged[1]) then
    return false
  end
  local lines, chars, text = ranges.measure(buf, merged)
  local min_lines, min_chars = require('ringfence.config').thresholds()
  if lines < min_lines and chars < min_chars then
    return false
  end
  local regs = { '"', '0' }
  if vim.o.clipboard:find('unnamedplus') then
    regs[#regs + 1] = '+'
  elseif vim.o.clipboard:find('unnamed') then
    regs[#regs + 1] = '*'
  end
  text = text:gsub('\n+$', '')
  for _, reg in ipairs(regs) do
    local ok, value = pcall(vim.fn.getreg, reg)
    if ok and type(value) == 'string' and value:gsub('\n+$', '') == text then
      return true
    end
  end
  return false
end

--- Classifies the ambient changes of `buf` once the command that made them has finished.
---@param buf integer
local function check(buf)
  local st = bufs[buf]
  if not st then
    return
  end
  st.pending = false
  local list = st.ambient
  local overflow = st.overflow
  st.ambient, st.overflow = {}, nil
  if not api.nvim_buf_is_valid(buf) then
    return
  end
  local report = require('ringfence.config').get().report or {}
  local cur = changenr(buf)
  local undo = cur < st.cur or (cur > st.cur and cur <= st.max)
  st.cur, st.max = cur, math.max(st.max, cur)
  if overflow then
    return
  end
  if undo then
    if report.undo then
      send(buf, { origin = 'undo' }, list)
    end
  elseif report.put and is_put(buf, list) then
    send(buf, { origin = 'paste' }, list)
  end
end

--- Most ranges one capture keeps apart; past it they collapse into the range covering them all
--- (a superset, never less). Keeps a long `:substitute` from making every change cost O(n).
M.max_ranges = 500

---@param list ringfence.Range[]
---@param ch ringfence.Change
---@return boolean overflowed
local function record(list, ch)
  ranges.move_all(list, ch)
  list[#list + 1] = ranges.written(ch)
  if #list <= M.max_ranges then
    return false
  end
  local cover = ranges.cover(list)
  for i = #list, 1, -1 do
    list[i] = nil
  end
  list[1] = cover
  return true
end

---@param buf integer
---@param ch ringfence.Change
local function on_change(buf, ch)
  local st = bufs[buf]
  if session then
    ranges.move_all(st.ambient, ch)
    session.bufs[buf] = session.bufs[buf] or {}
    record(session.bufs[buf], ch)
    return
  end
  if not st.overflow and record(st.ambient, ch) then
    -- too many ambient changes to classify (a large :substitute): classify nothing this time
    st.overflow, st.ambient = true, {}
  end
  if not st.pending then
    st.pending = true
    vim.schedule(function()
      check(buf)
    end)
  end
end

--- Starts listening to the changes of `buf` (idempotent).
---@param buf integer
function M.attach(buf)
  if bufs[buf] or not api.nvim_buf_is_loaded(buf) then
    return
  end
  local cur = changenr(buf)
  local st = { ambient = {}, pending = false, cur = cur, max = math.max(cur, vim.fn.undotree(buf).seq_last) }
  bufs[buf] = st
  api.nvim_buf_attach(buf, false, {
    -- a listener left from an earlier attach of the same buffer detaches itself
    on_bytes = function(_, _, _, sr, sc, _, oer, oec, _, ner, nec, _)
      if bufs[buf] ~= st then
        return true
      end
      on_change(buf, { sr = sr, sc = sc, oer = oer, oec = oec, ner = ner, nec = nec })
    end,
    on_reload = function()
      if bufs[buf] == st then
        st.ambient, st.max = {}, 0
        snapshot(buf)
      end
    end,
    on_detach = function()
      if bufs[buf] == st then
        bufs[buf] = nil
      end
    end,
  })
end

--- Stops listening to `buf`.
---@param buf integer
function M.detach(buf)
  bufs[buf] = nil
end

---@param buf integer
---@return boolean
function M.is_attached(buf)
  return bufs[buf] ~= nil
end

--- Opens a capture, or joins the one already open (an AI origin wins over any other).
---@param origin ringfence.Origin
---@param defer? boolean
---@param timeout? integer close by itself after this many milliseconds
---@return ringfence.Session
function M.open(origin, defer, timeout)
  local buf = api.nvim_get_current_buf()
  if rf_client.get(buf) then
    M.attach(buf)
  end
  if session then
    session.depth = session.depth + 1
    session.defer = session.defer or (defer == true)
    if origin.origin == 'ai' and session.origin ~= 'ai' then
      session.origin, session.tool, session.model, session.kind = 'ai', origin.tool, origin.model, origin.kind
    end
    return session
  end
  local s = vim.tbl_extend('force', origin, { depth = 1, defer = defer == true, bufs = {} }) --[[@as ringfence.Session]]
  if timeout then
    s.timer = vim.uv.new_timer()
    s.timer:start(
      timeout,
      0,
      vim.schedule_wrap(function()
        if session == s then
          finalize(s)
        end
      end)
    )
  end
  session = s
  return s
end

--- Closes one level of a capture; the outermost close reports what it captured (after the
--- callbacks scheduled meanwhile have run, when the capture is deferred).
---@param s ringfence.Session
function M.close(s)
  if session ~= s then
    return
  end
  s.depth = s.depth - 1
  if s.depth > 0 then
    return
  end
  if s.defer and not s.deferred then
    s.deferred, s.depth = true, 1
    vim.schedule(function()
      M.close(s)
    end)
    return
  end
  finalize(s)
end

--- Runs `fn(...)` inside a capture and returns its results.
---@param origin ringfence.Origin
---@param fn function
---@param defer? boolean|fun(...): boolean stay open until callbacks `fn` scheduled have run
---@return any ...
function M.run(origin, fn, defer, ...)
  local s = M.open(origin, defer == true)
  local res = vim.F.pack_len(pcall(fn, ...))
  if type(defer) == 'function' and res[1] then
    s.defer = s.defer or defer(select(2, vim.F.unpack_len(res))) == true
  end
  M.close(s)
  if not res[1] then
    error(res[2], 0)
  end
  return select(2, vim.F.unpack_len(res))
end

--- Keys that open a capture when Neovim executes them (for expression mappings whose returned
--- keys apply the suggestion later, like copilot.vim's `copilot#Accept()`), and keys that close it.
---@param origin ringfence.Origin
---@param raw boolean return key codes (true) or `<>` notation for `replace_keycodes` mappings
---@return string begin, string finish
function M.keys(origin, raw)
  next_key = next_key + 1
  keyed[next_key] = origin
  local begin = ('<Cmd>lua require("ringfence.track")._key_begin(%d)<CR>'):format(next_key)
  local finish = ('<Cmd>lua require("ringfence.track")._key_end(%d)<CR>'):format(next_key)
  if raw then
    return vim.keycode(begin), vim.keycode(finish)
  end
  return begin, finish
end

---@type table<integer, ringfence.Session>
local keyed_sessions = {}

---@private
---@param id integer
function M._key_begin(id)
  local origin = keyed[id]
  keyed[id] = nil
  if origin then
    keyed_sessions[id] = M.open(origin, false, M.key_timeout_ms)
  end
end

---@private
---@param id integer
function M._key_end(id)
  local s = keyed_sessions[id]
  keyed_sessions[id] = nil
  if s then
    M.close(s)
  end
end

--- Whether keys an expression mapping returned insert text through an expression register
--- (`<C-R><C-O>=…`, `<C-R><C-R>=…`), which is how copilot.vim and windsurf apply an accepted suggestion.
---@param keys any
---@return boolean
function M.inserts_text(keys)
  if type(keys) ~= 'string' then
    return false
  end
  return keys:find('\18[\15\18]=') ~= nil or keys:lower():find('<c%-r><c%-[or]>=') ~= nil
end

return M
