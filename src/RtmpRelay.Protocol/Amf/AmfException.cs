namespace RtmpRelay.Protocol.Amf;

/// <summary>
/// AMF data could not be decoded (malformed, truncated, unsupported or over a configured limit), or a
/// value could not be encoded. This is the only exception type the AMF readers let escape.
/// </summary>
public sealed class AmfException : RtmpProtocolException
{
    /// <summary>Creates an error that is not tied to a position in the input.</summary>
    /// <param name="reason">What was wrong.</param>
    public AmfException(string reason) : base(reason)
    {
        Offset = -1;
    }

    /// <summary>Creates a decoding error; the message ends with the byte offset.</summary>
    /// <param name="reason">What was wrong.</param>
    /// <param name="offset">Byte offset in the decoded buffer where the problem was found.</param>
    public AmfException(string reason, int offset) : base($"{reason} (at byte offset {offset})")
    {
        Offset = offset;
    }

    /// <summary>Byte offset in the decoded buffer where the problem was found, or -1 when not applicable.</summary>
    public int Offset { get; }
}
