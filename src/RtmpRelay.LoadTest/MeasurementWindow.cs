namespace RtmpRelay.LoadTest;

/// <summary>
/// The phase of the run every publisher consults when it stamps a frame: only frames sent while measuring count
/// towards latency and drops, so destinations still connecting during the warm-up do not show up as losses.
/// </summary>
internal sealed class MeasurementWindow
{
    private volatile int _phase; // 0 warm-up, 1 measuring, 2 over

    public bool IsMeasuring => _phase == 1;

    public void Start() => _phase = 1;

    public void Stop() => _phase = 2;
}
