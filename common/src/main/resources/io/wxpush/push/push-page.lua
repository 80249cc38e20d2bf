-- Records one fan-out page as published: moves the resume cursor and adds the page's users to
-- the targets, atomically, so a page republished after a crash is never counted twice (PAGE,
-- push_page in push-lib.lua).
-- KEYS[1] status HASH
-- ARGV[1] the cursor the page started from ('' at the start)   ARGV[2] the cursor after it
-- ARGV[3] users in the page
-- Returns 1 when recorded, 0 when the cursor had already moved (another fan-out got there first) or
-- the push is final.
return push_page(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
