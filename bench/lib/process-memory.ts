// The process's peak resident set (Linux VmHWM), and resetting it so one bench part's peak is
// not hidden under an earlier part's.
import { readFileSync, writeFileSync } from 'node:fs';

/** VmHWM in MB: the largest resident set since the process started or since resetPeakRss. */
export function peakRssMb(): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  // Off Linux, process.resourceUsage's lifetime maximum (no reset there).
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

/**
 * Sets the peak back to the current resident set (writing 5 to /proc/self/clear_refs, Linux ≥ 4.0).
 * Returns false where that is not possible; the peak is then the process's lifetime peak.
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
