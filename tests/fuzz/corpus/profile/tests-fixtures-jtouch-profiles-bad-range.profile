customer id
touch seen t
measure score = s
  range score 10 1
