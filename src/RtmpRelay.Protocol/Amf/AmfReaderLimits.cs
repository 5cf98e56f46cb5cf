namespace RtmpRelay.Protocol.Amf;

/// <summary>
/// Bounds on what one AMF reader will decode, so that hostile input cannot exhaust the stack or memory.
/// Exceeding a limit throws <see cref="AmfException"/>.
/// </summary>
public sealed class AmfReaderLimits
{
    /// <summary>The default limits: <see cref="MaxDepth"/> = 32, <see cref="MaxValues"/> = 65536.</summary>
    public static AmfReaderLimits Default { get; } = new();

    /// <summary>
    /// Deepest nesting of containers (objects, arrays, vectors, dictionaries) accepted; the top-level value
    /// is depth 0. Default 32.
    /// </summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>
    /// Most values (including every nested value and vector element) one reader decodes in total. Default 65536.
    /// </summary>
    public int MaxValues { get; init; } = 65536;
}
