customer a | b
touch x t? | u?
carry c=d | "e f"? g on x
time_format "%d-%m-%Y %H:%M" auto t | u
month_names /nonexistent
map a|b y=1
