using System.Net;

namespace RtmpRelay.Server;

/// <summary>
/// Counts open RTMP connections, in total and per client address, for Relay:Limits:MaxConnections and
/// MaxConnectionsPerAddress. A connection is counted from before its handshake, so stalled handshakes count too.
/// </summary>
internal sealed class ConnectionLimiter
{
    private readonly Dictionary<IPAddress, int> _perAddress = new();
    private readonly Lock _gate = new();
    private int _total;

    public int Open { get { lock (_gate) { return _total; } } }

    /// <summary>Counts a new connection unless a limit is reached; then says which.</summary>
    public bool TryAcquire(IPAddress? address, int maxTotal, int maxPerAddress, out RefusalReason refused)
    {
        lock (_gate)
        {
            refused = default;
            if (_total >= maxTotal)
            {
                refused = RefusalReason.Connections;
                return false;
            }
            var fromAddress = 0;
            if (address is not null && _perAddress.TryGetValue(address, out fromAddress) && fromAddress >= maxPerAddress)
            {
                refused = RefusalReason.ConnectionsPerAddress;
                return false;
            }
            _total++;
            if (address is not null)
            {
                _perAddress[address] = fromAddress + 1;
            }
            return true;
        }
    }

    public void Release(IPAddress? address)
    {
        lock (_gate)
        {
            _total--;
            if (address is not null && _perAddress.TryGetValue(address, out var count))
            {
                if (count <= 1)
                {
                    _perAddress.Remove(address);
                }
                else
                {
                    _perAddress[address] = count - 1;
                }
            }
        }
    }
}
