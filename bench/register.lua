-- wrk script for bench/register.sh: posts the registration form with a valid session cookie
-- and CSRF token, a new address per request.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  cookie = args[2]
  slug = args[3]
  counter = 0
end

function request()
  counter = counter + 1
  local email = string.format("bench-%d-%d@example.org", id, counter)
  local body = "csrf_token=" .. token .. "&name=Bench+Person&email=" .. email .. "&company=ACME&accept=on&website="
  return wrk.format("POST", "/" .. slug .. "/register/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end
