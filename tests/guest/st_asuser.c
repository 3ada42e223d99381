// SPDX-License-Identifier: GPL-2.0
/*
 * st_asuser UID COMMAND [ARG...]: run COMMAND as user and group UID with
 * no supplementary groups and no capabilities, so the guest tests can
 * check what an unprivileged user is refused.  Built static for the
 * guest by scripts/group-e2e.sh.
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t id;

	if (argc < 3) {
		fprintf(stderr, "usage: st_asuser UID COMMAND [ARG...]\n");
		return 2;
	}
	id = (uid_t)strtoul(argv[1], NULL, 10);
	if (setgroups(0, NULL) || setgid(id) || setuid(id)) {
		perror("st_asuser");
		return 2;
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
