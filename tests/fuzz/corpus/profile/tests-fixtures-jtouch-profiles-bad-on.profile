customer id
touch opened t
touch closed u?
measure wait_s = u? - t on solved
