using System.Buffers;

namespace RtmpRelay.Core;

/// <summary>One step of a handshake state machine: consume what it can, write its answer, true when done.</summary>
internal delegate bool HandshakeStep(ref ReadOnlySequence<byte> input, IBufferWriter<byte> output);
