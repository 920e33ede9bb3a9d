"""Measurement helpers shared by the benchmark scripts in this folder."""
import os
import platform
import statistics
from typing import Dict, List

import torch


def summarize(values: List[float]) -> Dict[str, float]:
    """Median, quartiles and IQR of a list of measurements."""
    vals = sorted(values)
    if len(vals) > 1:
        q1, _, q3 = statistics.quantiles(vals, n=4, method='inclusive')
    else:
        q1 = q3 = vals[0]
    return dict(median=statistics.median(vals), q1=q1, q3=q3, iqr=q3 - q1,
                min=vals[0], max=vals[-1], n=len(vals))


def cpu_model() -> str:
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def machine_info(device: torch.device) -> dict:
    info = dict(nproc=os.cpu_count(), cpu_model=cpu_model(),
                torch=torch.__version__, torch_threads=torch.get_num_threads(),
                python=platform.python_version(), platform=platform.platform(),
                device=str(device))
    try:
        info['loadavg_start'] = os.getloadavg()
    except OSError:
        pass
    if device.type == 'cuda':
        info['cuda_device'] = torch.cuda.get_device_name(device)
        info['cuda'] = torch.version.cuda
    return info


def sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
