--- Test helpers for headless Neovim runs: results go to stdout as TAP-like lines, the exit code
--- is non-zero on any failure (`print` goes to stderr in headless mode, so it is not used).

local H = { passed = 0, failed = 0 }

H.plugin_dir = vim.fs.dirname(vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, 'S').source:sub(2))))

---@param line string
function H.out(line)
  io.stdout:write(line .. '\n')
  io.stdout:flush()
end

--- Records one check.
---@param cond any
---@param name string
---@param detail? any shown on failure
---@return boolean
function H.ok(cond, name, detail)
  if cond then
    H.passed = H.passed + 1
    H.out('ok - ' .. name)
  else
    H.failed = H.failed + 1
    local text = detail == nil and '' or (': ' .. (type(detail) == 'string' and detail or vim.inspect(detail)))
    H.out('not ok - ' .. name .. text:gsub('\n', '\n# '))
  end
  return cond and true or false
end

---@param actual any
---@param expected any
---@param name string
---@return boolean
function H.eq(actual, expected, name)
  return H.ok(vim.deep_equal(actual, expected), name, { actual = actual, expected = expected })
end

--- Waits up to `ms` for `pred()` and records whether it came true.
---@param ms integer
---@param pred fun(): any
---@param name string
---@param detail? fun(): any shown on failure
---@return boolean
function H.wait(ms, pred, name, detail)
  local ok = vim.wait(ms, function()
    return pred() and true or false
  end, 20)
  return H.ok(ok, name, (not ok and detail) and detail() or nil)
end

--- Puts the plugin on the runtimepath and sources its plugin/ file, as a plugin manager would.
function H.load_plugin()
  vim.opt.runtimepath:prepend(H.plugin_dir)
  vim.cmd.runtime('plugin/ringfence.lua')
end

--- The ringfence client of `buf`, once attached.
---@param buf integer
---@param ms? integer
---@return vim.lsp.Client?
function H.client(buf, ms)
  local client
  H.wait(ms or 20000, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'ringfence' })[1]
    return client and client.initialized
  end, 'ringfence client attached to ' .. vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':.'))
  return client
end

--- ringfence diagnostics of `buf`, optionally with one code.
---@param buf integer
---@param code? string
---@return vim.Diagnostic[]
function H.diagnostics(buf, code)
  return vim.tbl_filter(function(d)
    return d.source == 'ringfence' and (code == nil or tostring(d.code) == code)
  end, vim.diagnostic.get(buf))
end

--- Short form of diagnostics for failure messages.
---@param buf integer
---@return string[]
function H.describe(buf)
  return vim.tbl_map(function(d)
    return ('%s %d:%d-%d:%d %s'):format(tostring(d.code), d.lnum, d.col, d.end_lnum or -1, d.end_col or -1, d.message)
  end, vim.diagnostic.get(buf))
end

--- Runs the test body and exits: 0 when every check passed.
---@param body fun()
function H.run(body)
  local ok, err = xpcall(body, debug.traceback)
  if not ok then
    H.ok(false, 'test body raised', err)
  end
  H.out(('%d passed, %d failed'):format(H.passed, H.failed))
  if H.failed > 0 then
    vim.cmd('cquit 1')
  end
  vim.cmd('qall!')
end

return H
