-- A push whose sendAt is ahead: SCHEDULE (push_schedule, push-lib.lua).
-- KEYS[1] status HASH
-- Returns 1 when allowed (it is scheduled now), 0 when refused (it has begun, or is final).
if push_schedule(KEYS[1]) then return 1 end
return 0
