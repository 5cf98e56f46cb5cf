namespace RtmpRelay.Destinations;

/// <summary>
/// Makes the byte stream to a destination: the one seam between the destination logic and the network, so retry,
/// failover and stalls are tested in memory.
/// </summary>
internal interface IDestinationDialer
{
    /// <summary>Connects; a failure is a <see cref="DestinationFailureException"/> saying which kind.</summary>
    Task<DestinationTransport> ConnectAsync(DestinationUrl url, DestinationSpec destination, CancellationToken cancellationToken);
}
