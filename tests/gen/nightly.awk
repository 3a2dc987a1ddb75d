# nightly.awk — one night's survey export for jkpi --history tests (tests/baseline.bats).
#
#   awk -v seed=S -v night=D -v teams=T -v stages=G -v n=N \
#       [-v drop_cell=team3,stage2 -v drop_from=15 -v drop=40] -f nightly.awk
#
# Writes time,team,stage,score: N answers for each of the T x G cells
# (team1..teamT x stage1..stageG), on 2024-06-DD (DD = night, 1-31) at
# 12:00 UTC. Scores 0-10 fall as promoters (9-10) 45 %, passives (7-8)
# 30 %, detractors (0-6) 25 %: NPS 20 in every cell, every night. From night
# drop_from on, the cell drop_cell has drop/2 points fewer promoters and
# drop/2 more detractors: its NPS is lower by drop points. The seed makes
# the night reproducible (awk's srand/rand; one seed per night).
BEGIN {
	srand(seed)
	printf "time,team,stage,score\n"
	for (t = 1; t <= teams; t++)
		for (g = 1; g <= stages; g++) {
			cell = "team" t ",stage" g
			p = 0.45
			d = 0.25
			if (cell == drop_cell && night >= drop_from) {
				p -= drop / 200
				d += drop / 200
			}
			for (i = 0; i < n; i++) {
				u = rand()
				if (u < p)
					s = 9 + int(rand() * 2)
				else if (u < 1 - d)
					s = 7 + int(rand() * 2)
				else
					s = int(rand() * 7)
				printf "2024-06-%02dT12:00:00Z,%s,%d\n", night, cell, s
			}
		}
}
