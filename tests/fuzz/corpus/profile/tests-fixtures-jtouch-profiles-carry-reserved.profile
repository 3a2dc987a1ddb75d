source crm
customer id
touch seen t
carry nps
