from .subcentroid_map import (draw_subcentroid_map, pixel_subcentroids,
                              subcentroid_shades, subcentroid_usage)

__all__ = [
    'draw_subcentroid_map', 'pixel_subcentroids', 'subcentroid_shades',
    'subcentroid_usage'
]
