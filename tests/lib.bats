#!/usr/bin/env bats
# lib/ functions checked directly (tests/unit/libtest.c, built by make check).
bats_require_minimum_version 1.5.0
load test_helper

@test "lib: durations, FNV-1a vectors, number and time edge cases (tests/unit/libtest.c)" {
	[ -x "$REPO/tests/unit/libtest" ] || skip "tests/unit/libtest not built (run make check)"
	run "$REPO/tests/unit/libtest"
	assert_success
	assert_output --regexp '^[0-9]+ checks passed$'
}
