"""Keras's progress bar: `32/32 ━━━━━━━━━━━━━━━━━━━━ 1s 2ms/step - accuracy: 0.9 - loss: 0.3`.

On a terminal the bar redraws in place (carriage return, Keras's colours) at most every
`interval` seconds; when the output is not a terminal (a log file, a pipe) it prints one
plain line when the bar finishes, with no control characters. verbose=2 prints one line
when the bar finishes; verbose=0 prints nothing.
"""
import math
import sys
import time

import numpy as np


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progbar:
    """Displays a progress bar (keras.utils.Progbar).

    Args: target (total steps, or None if unknown), width, verbose (0, 1 or 2),
    interval (seconds between redraws), stateful_metrics (names shown as given rather
    than averaged over the steps), unit_name."""

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step", stream=None):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be "
                             "provided.")
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        if stateless_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = None, set(stateless_metrics)
        else:
            self.stateful_metrics = set(stateful_metrics or ())
            self.stateless_metrics = None
        self._stream = stream
        self._dynamic_display = _is_terminal(self.stream)
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = time.time()
        self._last_update = 0
        self._time_after_first_step = None
        self._prev_total_width = 0

    @property
    def stream(self):
        return self._stream if self._stream is not None else sys.stdout

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()

    def update(self, current, values=None, finalize=None):
        """Move the bar to step `current`; `values` is a list of (name, value)."""
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        for k, v in values or []:
            if k not in self._values_order:
                self._values_order.append(k)
            v = float(np.mean(np.asarray(v)))
            stateless = (k not in self.stateful_metrics if self.stateful_metrics is not None
                         else k in self.stateless_metrics)
            if stateless:
                if finalize:
                    self._values[k] = [v, 1]
                else:
                    base = max(current - self._seen_so_far, 1)
                    if k not in self._values:
                        self._values[k] = [v * base, base]
                    else:
                        self._values[k][0] += v * base
                        self._values[k][1] += base
            else:
                self._values[k] = [v, 1]
        self._seen_so_far = current
        now = time.time()
        per_unit = self._estimate_step_duration(current, now)

        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if not self._dynamic_display and not finalize:
                return
            color = self._dynamic_display
            bar = self._bar(current, color)
            if self.target is not None and self.target > 0 and not finalize:
                eta = per_unit * (self.target - current)
                if eta > 3600:
                    eta_format = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
                elif eta > 60:
                    eta_format = "%d:%02d" % (eta // 60, eta % 60)
                else:
                    eta_format = "%ds" % eta
            else:
                eta_format = f"{now - self._start:.0f}s"
            info = " " + (f"\x1b[1m{eta_format}\x1b[0m" if color else eta_format)
            info += self._format_time(per_unit)
            info += self._metrics(abs_threshold=True)
            plain_width = len(self._strip(bar + info))
            if self._dynamic_display:
                message = "\b" * self._prev_total_width + "\r" + bar + info
                if self._prev_total_width > plain_width:
                    message += " " * (self._prev_total_width - plain_width)
            else:
                message = bar + info
            if finalize:
                message += "\n"
            self._write(message)
            self._prev_total_width = plain_width
        elif self.verbose == 2:
            if finalize and self.target is not None and self.target > 0:
                numdigits = int(math.log10(self.target)) + 1
                info = f"%{numdigits}d/%d" % (current, self.target)
                info += f" - {now - self._start:.0f}s"
                info += " -" + self._format_time(per_unit)
                info += self._metrics(abs_threshold=False)
                self._write(info + "\n")
        self._last_update = now

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    @staticmethod
    def _strip(text):
        import re
        return re.sub(r"\x1b\[[0-9;]*m", "", text)

    def _bar(self, current, color):
        if self.target is None or self.target <= 0:
            return "%7d/Unknown" % current
        numdigits = int(math.log10(self.target)) + 1
        count = f"%{numdigits}d/%d" % (current, self.target)
        done = int(self.width * float(current) / self.target)
        if not color:
            return f"{count} {'━' * done}{'━' * (self.width - done)}"
        bar = f"\x1b[1m{count}\x1b[0m "
        if done > 0:
            bar += f"\x1b[32m{'━' * done}\x1b[0m"
        return bar + f"\x1b[37m{'━' * (self.width - done)}\x1b[0m"

    def _metrics(self, abs_threshold):
        info = ""
        for k in self._values_order:
            total, count = self._values[k]
            avg = total / max(1, count)
            big = abs(avg) > 1e-3 if abs_threshold else avg > 1e-3
            info += f" - {k}: {avg:.4f}" if big else f" - {k}: {avg:.4e}"
        return info

    def _format_time(self, per_unit):
        if per_unit >= 1 or per_unit == 0:
            return f" {per_unit:.0f}s/{self.unit_name}"
        if per_unit >= 1e-3:
            return f" {per_unit * 1e3:.0f}ms/{self.unit_name}"
        return f" {per_unit * 1e6:.0f}us/{self.unit_name}"

    def _estimate_step_duration(self, current, now):
        # the first step (often slower) is left out of the estimate once there are more
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit
