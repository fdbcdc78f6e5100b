// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: VFIO_DEVICE_SET_IRQS as mdpy_irq_set_check() and
 * mdpy_irq_set_decode() judge it, with arbitrary headers and data.  The
 * answer must match an oracle written from vfio-pci's rules for a device
 * whose only interrupt is REQ (index 4, one eventfd, TRIGGER only), the
 * data size must fit what argsz brings, and a decoded request must be one
 * of the four operations, with a non-negative eventfd number.
 */
#include "fuzz.h"

#define TRIGGER		0x20u
#define DATA_NONE	0x01u
#define DATA_BOOL	0x02u
#define DATA_EVENTFD	0x04u

/* Bytes of data each interrupt carries, or -1 for a bad data type */
static int oracle_each(uint32_t flags)
{
	switch (flags & 0x7) {
	case DATA_NONE:
		return 0;
	case DATA_BOOL:
		return 1;
	case DATA_EVENTFD:
		return 4;
	default:
		return -1;
	}
}

static int oracle_ok(const struct mdpy_irq_set *h)
{
	int each = oracle_each(h->flags);

	if (h->argsz < 20 || (h->flags & ~0x3fu) || (h->flags & 0x38u) != TRIGGER)
		return 0;
	if (each < 0 || h->index != 4)
		return 0;
	if (h->start != 0 || h->count > 1)
		return 0;
	if (!h->count && each)
		return 0;
	return h->argsz - 20 >= h->count * (uint32_t)each;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fstream s = { data, size };
	unsigned int steps = 0;

	while (!fs_empty(&s) && steps++ < 256) {
		struct mdpy_irq_set h;
		uint8_t payload[4];
		u32 data_size = 0xdead;
		s32 fd = -12345;
		uint8_t sel = fs_u8(&s);
		int ret, op;

		/* mostly near-valid requests, sometimes anything at all */
		h.argsz = sel & 1 ? fs_u32(&s) : 20 + fs_u8(&s) % 8;
		h.flags = sel & 2 ? fs_u32(&s) :
			  (1u << (fs_u8(&s) % 3)) | (1u << (3 + fs_u8(&s) % 3));
		h.index = sel & 4 ? fs_u32(&s) : fs_u8(&s) % 6;
		h.start = sel & 8 ? fs_u32(&s) : fs_u8(&s) % 3;
		h.count = sel & 16 ? fs_u32(&s) : fs_u8(&s) % 3;
		put_le(payload, fs_u32(&s), 4);

		ret = mdpy_irq_set_check(&h, &data_size);
		FUZZ_ASSERT(ret == 0 || ret == -EINVAL, "ret %d", ret);
		FUZZ_ASSERT((ret == 0) == oracle_ok(&h),
			    "argsz %u flags 0x%x index %u start %u count %u: %d",
			    h.argsz, h.flags, h.index, h.start, h.count, ret);
		if (ret)
			continue;
		FUZZ_ASSERT(data_size <= sizeof(payload) &&
			    data_size <= h.argsz - 20, "data size %u", data_size);
		FUZZ_ASSERT(data_size == h.count * (u32)oracle_each(h.flags),
			    "data size %u", data_size);

		op = mdpy_irq_set_decode(&h, payload, &fd);
		FUZZ_ASSERT(op == -EINVAL || (op >= MDPY_IRQ_OP_NONE &&
					      op <= MDPY_IRQ_OP_SIGNAL), "op %d", op);
		if (op == MDPY_IRQ_OP_SET_FD)
			FUZZ_ASSERT(fd >= 0 && fd == (s32)get_le(payload, 4),
				    "fd %d", fd);
		if (op == -EINVAL)
			FUZZ_ASSERT((h.flags & 7) == DATA_EVENTFD &&
				    (s32)get_le(payload, 4) < -1, "refused");
	}
	return 0;
}
