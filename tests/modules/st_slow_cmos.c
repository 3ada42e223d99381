// SPDX-License-Identifier: GPL-2.0
/*
 * st_slow_cmos - a slow NVMEM view of the PC's CMOS NVRAM, for tests only.
 *
 * Not part of the product: scripts/group-persist.sh builds it for the
 * power-cut test alone.  rtc-cmos writes a 32-byte record into CMOS in a
 * few microseconds, so a power cut (QEMU system_reset) at a random moment
 * almost never lands inside a write, and the torn records the record
 * codec is built for are never made by a real reset.  This provider
 * addresses the same bytes as rtc-cmos's cmos_nvram0 (its offset 0 is
 * CMOS address RTC_REG_D + 1, as there) but writes them one at a time,
 * sleeping byte_delay_us between two bytes, so that a record write lasts
 * long enough for most cuts to land in the middle of one.  Reads are
 * not slowed down.
 */

#include <linux/acpi.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/mc146818rtc.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nvmem-provider.h>
#include <linux/platform_device.h>
#include <linux/spinlock.h>

/* The first CMOS address after the RTC registers, cmos_nvram0's offset 0. */
#define ST_SLOW_CMOS_FIRST	(RTC_REG_D + 1)
/* The PC's CMOS bank 0; rtc-cmos uses no second bank on x86. */
#define ST_SLOW_CMOS_END	128
#define ST_SLOW_CMOS_SIZE	(ST_SLOW_CMOS_END - ST_SLOW_CMOS_FIRST)

/*
 * 5 ms between two bytes: a 16-byte save lasts 75 ms and a record update
 * (two saves) about 150 ms, against a few ms spent between two writes by
 * the guest's write loop (tests/guest/persist.sh).
 */
static unsigned int byte_delay_us = 5000;
module_param(byte_delay_us, uint, 0644);
MODULE_PARM_DESC(byte_delay_us,
		 "Microseconds slept between two bytes of a write (0: none)");

static struct platform_device *st_slow_cmos_pdev;
static struct nvmem_device *st_slow_cmos_nvmem;

/**
 * st_slow_cmos_reserved() - is a CMOS address one that rtc-cmos skips?
 * @addr: the CMOS address.
 *
 * rtc-cmos's NVMEM write leaves alone the RTC registers that ACPI places
 * in the NVRAM range (day and month alarm, century): so does this one.
 *
 * Return: true when a write must not touch @addr.
 */
static bool st_slow_cmos_reserved(unsigned int addr)
{
#ifdef CONFIG_ACPI
	return (acpi_gbl_FADT.day_alarm && addr == acpi_gbl_FADT.day_alarm) ||
	       (acpi_gbl_FADT.month_alarm && addr == acpi_gbl_FADT.month_alarm) ||
	       (acpi_gbl_FADT.century && addr == acpi_gbl_FADT.century);
#else
	return false;
#endif
}

/* nvmem_device_read/write() do not check bounds: the provider must. */
static bool st_slow_cmos_in_range(unsigned int off, size_t bytes)
{
	return off < ST_SLOW_CMOS_SIZE && bytes <= ST_SLOW_CMOS_SIZE - off;
}

/**
 * st_slow_cmos_read() - read CMOS NVRAM bytes at full speed
 * @priv: unused.
 * @off: offset from the first NVRAM byte.
 * @val: where the bytes go.
 * @bytes: how many.
 *
 * Each byte is read under rtc_lock, as rtc-cmos does.
 *
 * Return: 0, or -EINVAL beyond the NVRAM.
 */
static int st_slow_cmos_read(void *priv, unsigned int off, void *val,
			     size_t bytes)
{
	unsigned long flags;
	u8 *buf = val;
	size_t i;

	if (!st_slow_cmos_in_range(off, bytes))
		return -EINVAL;
	for (i = 0; i < bytes; i++) {
		spin_lock_irqsave(&rtc_lock, flags);
		buf[i] = CMOS_READ(ST_SLOW_CMOS_FIRST + off + i);
		spin_unlock_irqrestore(&rtc_lock, flags);
	}
	return 0;
}

/* Sleep @us microseconds, outside any lock. */
static void st_slow_cmos_pause(unsigned int us)
{
	if (!us)
		return;
	if (us >= 20000)
		msleep(DIV_ROUND_UP(us, 1000));
	else
		usleep_range(us, us + us / 8);
}

/**
 * st_slow_cmos_write() - write CMOS NVRAM bytes one at a time, slowly
 * @priv: unused.
 * @off: offset from the first NVRAM byte.
 * @val: the bytes.
 * @bytes: how many.
 *
 * Each byte is written under rtc_lock, and the writer sleeps
 * byte_delay_us between two bytes with the lock released: a power cut
 * during the write leaves the first bytes new and the rest old, as a
 * slow EEPROM or flash part would.
 *
 * Return: 0, or -EINVAL beyond the NVRAM.
 */
static int st_slow_cmos_write(void *priv, unsigned int off, void *val,
			      size_t bytes)
{
	unsigned int delay = READ_ONCE(byte_delay_us);
	unsigned long flags;
	unsigned int addr;
	const u8 *buf = val;
	size_t i;

	if (!st_slow_cmos_in_range(off, bytes))
		return -EINVAL;
	for (i = 0; i < bytes; i++) {
		if (i)
			st_slow_cmos_pause(delay);
		addr = ST_SLOW_CMOS_FIRST + off + i;
		if (st_slow_cmos_reserved(addr))
			continue;
		spin_lock_irqsave(&rtc_lock, flags);
		CMOS_WRITE(buf[i], addr);
		spin_unlock_irqrestore(&rtc_lock, flags);
	}
	return 0;
}

static int __init st_slow_cmos_init(void)
{
	struct nvmem_config cfg = {
		.name = "st_slow_cmos",
		.id = NVMEM_DEVID_NONE,
		.owner = THIS_MODULE,
		.type = NVMEM_TYPE_BATTERY_BACKED,
		.word_size = 1,
		.stride = 1,
		.size = ST_SLOW_CMOS_SIZE,
		.reg_read = st_slow_cmos_read,
		.reg_write = st_slow_cmos_write,
	};

	/* nvmem_register() wants a parent device. */
	st_slow_cmos_pdev = platform_device_register_simple("st_slow_cmos",
							    PLATFORM_DEVID_NONE,
							    NULL, 0);
	if (IS_ERR(st_slow_cmos_pdev))
		return PTR_ERR(st_slow_cmos_pdev);
	cfg.dev = &st_slow_cmos_pdev->dev;
	st_slow_cmos_nvmem = nvmem_register(&cfg);
	if (IS_ERR(st_slow_cmos_nvmem)) {
		platform_device_unregister(st_slow_cmos_pdev);
		return PTR_ERR(st_slow_cmos_nvmem);
	}
	return 0;
}
module_init(st_slow_cmos_init);

static void __exit st_slow_cmos_exit(void)
{
	nvmem_unregister(st_slow_cmos_nvmem);
	platform_device_unregister(st_slow_cmos_pdev);
}
module_exit(st_slow_cmos_exit);

MODULE_DESCRIPTION("Test only: CMOS NVRAM as an NVMEM device that writes slowly");
MODULE_LICENSE("GPL");
