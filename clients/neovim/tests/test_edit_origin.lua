-- An AI edit applied through track_ai() in a human-only file of the demo repository: RF001 on
-- exactly the changed lines, Revert AI edit through code actions and through :Ringfence.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'helpers.lua'))
H.load_plugin()
require('ringfence').setup()
local api = vim.api

--- The 0-based lines a diagnostic covers (an end at column 0 of the next line does not count).
local function covered(d)
  local last = (d.end_lnum > d.lnum and d.end_col == 0) and d.end_lnum - 1 or d.end_lnum
  return { d.lnum, last }
end

H.run(function()
  vim.cmd.edit('training/datagen/generate.py')
  local buf = api.nvim_get_current_buf()
  local client = H.client(buf)
  assert(client, 'no client')
  H.wait(
    10000,
    function()
      return require('ringfence').status() == 'human-only · training-data'
    end,
    'statusline shows human-only · training-data',
    function()
      return require('ringfence').status()
    end
  )
  local before = H.describe(buf)
  local original = api.nvim_buf_get_lines(buf, 0, -1, false)

  -- observe what the client sends (the real notify still runs)
  local sent = {}
  local notify = client.notify
  client.notify = function(self, method, params)
    if method == 'ringfence/editOrigin' then
      sent[#sent + 1] = vim.deepcopy(params)
    end
    return notify(self, method, params)
  end

  local row = 15
  local inserted = { 'def shuffle_rows(rows):', '    """Suggested by an assistant."""', '    return rows[::-1]' }
  local result = require('ringfence').track_ai(function()
    api.nvim_buf_set_lines(buf, row, row, false, inserted)
    return 'applied'
  end, { tool = 'copilot', model = 'gpt-4.1', kind = 'inline-completion' })
  H.eq(result, 'applied', 'track_ai returns what fn returns')
  H.eq(#sent, 1, 'one ringfence/editOrigin sent')
  local p = sent[1] or {}
  H.eq(p.origin, 'ai', 'origin is ai')
  H.eq({ p.tool, p.model, p.kind }, { 'copilot', 'gpt-4.1', 'inline-completion' }, 'tool, model and kind are sent')
  H.eq(
    p.textDocument and p.textDocument.version,
    vim.lsp.util.buf_versions[buf],
    'editOrigin names the version of the change'
  )
  H.eq(
    p.ranges,
    { { start = { line = row, character = 0 }, ['end'] = { line = row + 3, character = 0 } } },
    'editOrigin ranges are exactly the inserted lines'
  )

  local d
  H.wait(
    10000,
    function()
      d = H.diagnostics(buf, 'RF001')[1]
      return d
    end,
    'RF001 published',
    function()
      return H.describe(buf)
    end
  )
  assert(d, 'no RF001')
  H.eq(#H.diagnostics(buf, 'RF001'), 1, 'one RF001')
  H.eq(covered(d), { row, row + 2 }, 'RF001 on exactly the inserted lines')
  H.eq(d.severity, vim.diagnostic.severity.ERROR, 'RF001 is an error')
  H.ok(
    d.message:find('copilot', 1, true) and d.message:find('training-data', 1, true),
    'RF001 names tool and zone',
    d.message
  )

  -- code actions on the diagnostic; apply Revert AI edit
  local lsp_diag = d.user_data.lsp
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, triggerKind = 1 },
  }
  local res = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000) or {}
  local actions = res[client.id] and res[client.id].result or {}
  local titles = vim.tbl_map(function(a)
    return a.title
  end, actions)
  local revert
  for _, a in ipairs(actions) do
    if vim.startswith(a.title, 'Revert AI edit') then
      revert = a
    end
  end
  H.ok(revert, 'code actions offer Revert AI edit', titles)
  local zone_action = vim.iter(titles):any(function(t)
    return vim.startswith(t, 'Open zone definition')
  end)
  H.ok(zone_action, 'code actions offer Open zone definition', titles)
  assert(revert, 'no revert action')
  if revert.edit then
    vim.lsp.util.apply_workspace_edit(revert.edit, client.offset_encoding)
  end
  if revert.command then
    client:exec_cmd(type(revert.command) == 'table' and revert.command or revert, { bufnr = buf })
  end
  H.wait(
    10000,
    function()
      return vim.deep_equal(api.nvim_buf_get_lines(buf, 0, -1, false), original)
    end,
    'Revert AI edit restores the text',
    function()
      return api.nvim_buf_get_lines(buf, 0, -1, false)
    end
  )
  H.wait(
    10000,
    function()
      return vim.deep_equal(H.describe(buf), before)
    end,
    'diagnostics cleared after revert',
    function()
      return H.describe(buf)
    end
  )

  -- the same through :Ringfence tag and :Ringfence revert with the cursor in the region
  vim.o.undolevels = vim.o.undolevels
  local last = api.nvim_buf_line_count(buf) - 1
  require('ringfence').track_ai(function()
    api.nvim_buf_set_lines(buf, last, last, false, { '    # checked by an assistant', '    assert count > 0', '' })
  end, { tool = 'claude-code' })
  H.wait(
    10000,
    function()
      return #H.diagnostics(buf, 'RF001') == 1
    end,
    'RF001 for the second edit',
    function()
      return H.describe(buf)
    end
  )
  api.nvim_win_set_cursor(0, { last + 2, 4 })
  local tagged
  vim.cmd('Ringfence tag')
  local trace = vim.fs.joinpath(vim.env.RINGFENCE_TEST_ROOT, '.agent-trace', 'traces.jsonl')
  H.wait(
    10000,
    function()
      local f = io.open(trace)
      tagged = f and f:read('*a')
      if f then
        f:close()
      end
      return tagged and tagged:find('training/datagen/generate.py', 1, true)
    end,
    ':Ringfence tag writes an Agent Trace record',
    function()
      return tagged
    end
  )
  H.eq(#H.diagnostics(buf, 'RF001'), 1, 'RF001 stays after tagging (deny zone)')
  api.nvim_win_set_cursor(0, { last + 2, 4 })
  vim.cmd('Ringfence revert')
  H.wait(
    10000,
    function()
      return vim.deep_equal(api.nvim_buf_get_lines(buf, 0, -1, false), original)
    end,
    ':Ringfence revert restores the text',
    function()
      return api.nvim_buf_get_lines(buf, 0, -1, false)
    end
  )
  H.wait(
    10000,
    function()
      return #H.diagnostics(buf, 'RF001') == 0
    end,
    'RF001 cleared after :Ringfence revert',
    function()
      return H.describe(buf)
    end
  )
end)
