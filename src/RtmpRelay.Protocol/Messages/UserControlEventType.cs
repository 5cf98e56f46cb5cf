namespace RtmpRelay.Protocol.Messages;

/// <summary>Event types carried by a User Control message (type 4).</summary>
public enum UserControlEventType : ushort
{
    StreamBegin = 0,
    StreamEof = 1,
    StreamDry = 2,
    SetBufferLength = 3,
    StreamIsRecorded = 4,
    PingRequest = 6,
    PingResponse = 7,
}
