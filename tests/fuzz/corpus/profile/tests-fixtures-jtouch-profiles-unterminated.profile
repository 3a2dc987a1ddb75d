source zd
customer "Requester id
touch seen t
