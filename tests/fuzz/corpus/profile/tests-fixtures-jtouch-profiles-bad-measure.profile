customer id
touch seen t
measure wait_s = a + b
