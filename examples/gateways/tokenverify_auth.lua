-- HAProxy (2.5 or later, with Lua) asking tokenverify serve about every request,
-- through HAProxy's own Lua HTTP client. Used by examples/gateways/haproxy.cfg:
--   http-request lua.tokenverify_auth 127.0.0.1:9000 x-team,x-org
-- Sends the client's headers with X-Forwarded-Method/-Host/-Uri (the "forwarded"
-- dialect), no body, and leaves the answer in variables: txn.tv_status (the HTTP
-- status, 500 when tokenverify serve did not answer), txn.tv_www_authenticate,
-- and txn.tv_<header> (dashes as underscores) for each header of the comma-separated
-- list after the address: the decision's setHeaders to pass on.
core.register_action("tokenverify_auth", { "http-req" }, function(txn, address, keep)
  local headers = {}
  for name, values in pairs(txn.http:req_get_headers()) do
    if name ~= "content-length" and name ~= "transfer-encoding" and name ~= "connection" then
      local list = {}
      for i = 0, #values do list[#list + 1] = values[i] end
      headers[name] = list
    end
  end
  headers["x-forwarded-method"] = { txn.sf:method() }
  headers["x-forwarded-uri"] = { txn.sf:pathq() }
  headers["x-forwarded-host"] = { txn.sf:req_hdr("host") }

  local response = core.httpclient():get({ url = "http://" .. address .. "/", headers = headers, timeout = 2000 })
  local status = response and tonumber(response.status) or 500
  txn:set_var("txn.tv_status", status)
  local function first(name)
    local values = response and response.headers and response.headers[name]
    return values and values[0]
  end
  local challenge = first("www-authenticate")
  if challenge then txn:set_var("txn.tv_www_authenticate", challenge) end
  if status == 200 then
    for name in string.gmatch(keep, "[^,%s]+") do
      local value = first(name)
      if value then txn:set_var("txn.tv_" .. name:gsub("-", "_"), value) end
    end
  end
end, 2)
