"""A pure-Python SquashFS reader (2.x, 3.x and 4.x layouts, both byte orders, vendor magics and LZMA variants).

Modules, each with one job:
  variants, superblock    - which dialect an image is, and its superblock
  compression, lzma_variants - block decompressors, including vendor LZMA layouts
  metadata                - metadata blocks and streams across them
  bitfields, records      - packed bitfield structs of 2.x and 3.x; records read by field name
  limits, problems        - caps against hostile input, and the problems met
  image, model            - bounds-checked image bytes; the decoded filesystem objects
  format_common           - reading inodes, directory listings and the fragment table, for every version
  format_v2, format_v3, format_v4 - each version's record layouts and owner tables, as data
  file_data               - streaming a file's blocks and fragment tail
  walk                    - the cycle-safe directory walk
  reader                  - SquashfsImage, the facade over the above
  materialize             - writing the tree through unblob's FileSystem
  unsquashfs              - Debian's unsquashfs as the fast path
  extractor               - the unblob Extractor choosing between the two
"""

from iotbaseline.firmware.squashfs.errors import CorruptImage, SquashfsError, UnsupportedImage
from iotbaseline.firmware.squashfs.extractor import SquashfsExtractor
from iotbaseline.firmware.squashfs.image import open_image
from iotbaseline.firmware.squashfs.reader import SquashfsImage

__all__ = [
    "CorruptImage",
    "SquashfsError",
    "SquashfsExtractor",
    "SquashfsImage",
    "UnsupportedImage",
    "open_image",
]
