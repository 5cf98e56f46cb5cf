using RtmpRelay.Options;

namespace RtmpRelay.Tests.Options;

public class RelaySnapshotTests
{
    private static RelayOptions WithDestination(DestinationOptions destination)
    {
        var options = new RelayOptions();
        options.Applications["live"] = new ApplicationOptions { Destinations = { ["yt"] = destination } };
        return options;
    }

    [Fact]
    public void TryCreate_PlatformPreset_ExpandsToPrimaryAndBackupWithTheKey()
    {
        Assert.True(RelaySnapshot.TryCreate(WithDestination(new DestinationOptions { Platform = "YouTube", Key = "abcd-efgh-ijkl" }), out var snapshot, out _));

        var spec = Assert.Single(snapshot.DestinationsOf("live"));
        Assert.Equal("rtmps://a.rtmps.youtube.com:443/live2/abcd-efgh-ijkl", spec.Url);
        Assert.Equal("rtmps://b.rtmps.youtube.com:443/live2?backup=1/abcd-efgh-ijkl", spec.BackupUrl);
        Assert.DoesNotContain("abcd", spec.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_UrlAndPlatformBoth_RejectedWithoutTheKey()
    {
        Assert.False(RelaySnapshot.TryCreate(WithDestination(new DestinationOptions { Url = "rtmp://h/a/s", Platform = "twitch", Key = "live_secret123" }), out _, out var errors));

        var error = Assert.Single(errors);
        Assert.Contains("either Url or Platform", error, StringComparison.Ordinal);
        Assert.DoesNotContain("live_secret123", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCreate_DisabledDestination_NotInTheSnapshot()
    {
        Assert.True(RelaySnapshot.TryCreate(WithDestination(new DestinationOptions { Url = "rtmp://h/a/s", Enabled = false }), out var snapshot, out _));

        Assert.Empty(snapshot.DestinationsOf("live"));
    }

    [Fact]
    public void TryCreate_BindingErrorOrBadRetry_Rejected()
    {
        var options = new RelayOptions { BindingError = "Failed to convert 'soon' to TimeSpan" };
        options.Destinations.Retry.MaxDelay = TimeSpan.FromMilliseconds(10);

        Assert.False(RelaySnapshot.TryCreate(options, out _, out var errors));

        Assert.Contains(errors, e => e.Contains("soon", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Retry", StringComparison.Ordinal));
    }

    [Fact]
    public void Spec_SameConfiguration_EqualSoReconfigurationLeavesItAlone()
    {
        RelaySnapshot.TryCreate(WithDestination(new DestinationOptions { Url = "rtmp://h/a/{stream}", BackupUrl = "rtmp://b/a/{stream}" }), out var first, out _);
        RelaySnapshot.TryCreate(WithDestination(new DestinationOptions { Url = "rtmp://h/a/{stream}", BackupUrl = "rtmp://b/a/{stream}" }), out var second, out _);
        RelaySnapshot.TryCreate(WithDestination(new DestinationOptions { Url = "rtmp://h/a/{stream}" }), out var changed, out _);

        Assert.Equal(first.DestinationsOf("live")[0], second.DestinationsOf("live")[0]);
        Assert.NotEqual(first.DestinationsOf("live")[0], changed.DestinationsOf("live")[0]);
    }
}
