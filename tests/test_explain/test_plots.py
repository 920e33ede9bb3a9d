"""plot_k_history: every class's K stays visible where classes coincide."""
import numpy as np

from dnc_mm.explain import plots


def test_k_history_lines_thin_out_and_show_the_truth(tmp_path, monkeypatch):
    figures = []
    monkeypatch.setattr(plots.plt, 'close', figures.append)
    path = tmp_path / 'k.png'
    ks = np.array([[1, 1, 1], [1, 1, 2], [1, 1, 2]])  # two classes coincide
    plots.plot_k_history([0, 400, 800],
                         ks, ['tops', 'footwear', 'bags'],
                         str(path),
                         truth=[4, 3, 3])
    assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    ax, = figures[0].axes
    steps = [
        ln for ln in ax.lines if ln.get_label() in ('tops', 'footwear', 'bags')
    ]
    widths = [ln.get_linewidth() for ln in steps]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == 3
    np.testing.assert_array_equal(steps[2].get_ydata(), [1, 2, 2])
    truth = [ln.get_ydata()[0] for ln in ax.lines if ln.get_linestyle() == ':']
    assert truth == [4, 3, 3]
    assert all(float(t).is_integer() for t in ax.get_yticks())
