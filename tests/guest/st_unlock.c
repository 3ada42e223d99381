// SPDX-License-Identifier: GPL-2.0
/*
 * st_unlock FILE...: clear the immutable flag of each FILE, like
 * "chattr -i", which the guest's busybox lacks.  efivarfs marks the
 * files of variables it does not know to be safe immutable, so a test
 * must clear the flag to rewrite or delete one.  Built static for the
 * guest by scripts/group-e2e.sh.
 */
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int i, fd, flags, rc = 0;

	for (i = 1; i < argc; i++) {
		fd = open(argv[i], O_RDONLY);
		if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0) {
			perror(argv[i]);
			rc = 1;
		} else {
			flags &= ~FS_IMMUTABLE_FL;
			if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0) {
				perror(argv[i]);
				rc = 1;
			}
		}
		if (fd >= 0)
			close(fd);
	}
	return rc;
}
