-- ringfence: the :Ringfence command and the autocommands that hook the ringfence LSP client.
-- Everything else loads on first use.
if vim.g.loaded_ringfence then
  return
end
vim.g.loaded_ringfence = 1

local api = vim.api
local NAME = 'ringfence'

api.nvim_create_user_command('Ringfence', function(opts)
  require('ringfence.commands').run(opts)
end, {
  nargs = '*',
  desc = 'ringfence: explain | tag | revert | handoff | review | dismiss | zone | export',
  complete = function(arglead, cmdline)
    return require('ringfence.commands').complete(arglead, cmdline)
  end,
})

local group = api.nvim_create_augroup('ringfence', { clear = true })

---@param buf integer
---@return boolean
local function attached(buf)
  return #vim.lsp.get_clients({ bufnr = buf, name = NAME }) > 0
end

api.nvim_create_autocmd('LspAttach', {
  group = group,
  desc = 'ringfence: track edit origins and zone of the buffer',
  callback = function(ev)
    local client = vim.lsp.get_client_by_id(ev.data.client_id)
    if client and client.name == NAME then
      require('ringfence').attach(client, ev.buf)
    end
  end,
})

api.nvim_create_autocmd('LspDetach', {
  group = group,
  callback = function(ev)
    local client = vim.lsp.get_client_by_id(ev.data.client_id)
    if client and client.name == NAME then
      require('ringfence.track').detach(ev.buf)
      require('ringfence.status').forget(ev.buf)
    end
  end,
})

api.nvim_create_autocmd('BufEnter', {
  group = group,
  callback = function(ev)
    require('ringfence')._entered(ev.buf)
    if attached(ev.buf) then
      require('ringfence.status').refresh(ev.buf)
    end
  end,
})

api.nvim_create_autocmd('BufWritePost', {
  group = group,
  desc = 'ringfence: refresh zones after a save (policy files change every zone)',
  callback = function(ev)
    local name = vim.fs.basename(api.nvim_buf_get_name(ev.buf))
    if name == '.ringfence.toml' or name == 'pyproject.toml' or name:match('ignore$') or name == '.aiexclude' then
      -- after the client's own BufWritePost (didSave), with the policy buffer's changes sent first:
      -- a request only flushes its own buffer's pending didChange
      vim.schedule(function()
        for _, client in ipairs(vim.lsp.get_clients({ name = NAME })) do
          pcall(vim.lsp._changetracking.flush, client)
        end
        require('ringfence.status').refresh_all()
      end)
    elseif attached(ev.buf) then
      require('ringfence.status').refresh(ev.buf)
    end
  end,
})

api.nvim_create_autocmd('FocusGained', {
  group = group,
  desc = 'ringfence: re-explain every buffer (the policy may have changed outside Neovim)',
  callback = function()
    require('ringfence.status').refresh_all()
  end,
})

api.nvim_create_autocmd('BufFilePost', {
  group = group,
  desc = 'ringfence: a renamed buffer gets the level of its new path',
  callback = function(ev)
    if attached(ev.buf) then
      require('ringfence.status').refresh(ev.buf)
    end
  end,
})

api.nvim_create_autocmd('BufWipeout', {
  group = group,
  desc = 'ringfence: forget what was held back in a wiped buffer',
  callback = function(ev)
    if package.loaded['ringfence.prevent'] then
      require('ringfence.prevent').forget(ev.buf)
    end
  end,
})

api.nvim_create_autocmd({ 'TextChanged', 'InsertLeave' }, {
  group = group,
  desc = 'ringfence: refresh the zone after edits (markers raise levels)',
  callback = function(ev)
    if attached(ev.buf) then
      require('ringfence.status').refresh(ev.buf, 500)
    end
  end,
})
