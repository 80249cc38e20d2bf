-- Creates the status of a push published straight to Kafka (the API did not): ACCEPT, as 'accepted'
-- (push_accept, push-lib.lua); a push that has a status keeps it.
-- KEYS[1] status HASH   ARGV[1] retention ms   ARGV[2] appId   ARGV[3] kind   ARGV[4] templateId   ARGV[5] now ms
-- Returns 1 when created, 0 when it had one.
if push_accept(KEYS[1], 'accepted', ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]) then return 1 end
return 0
