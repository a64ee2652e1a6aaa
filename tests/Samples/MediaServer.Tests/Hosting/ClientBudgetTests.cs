using System.Net;
using MediaServer.Hosting;

namespace MediaServer.Tests.Hosting;

public sealed class ClientBudgetTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)] // a dual-mode socket's view of an IPv4 client
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true)] // one /64: one client
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    public void AddressesCountByHostOrIPv6Prefix(string first, string second, bool same) =>
        Assert.Equal(same, ClientAddress.Of(new IPEndPoint(IPAddress.Parse(first), 1)) == ClientAddress.Of(new IPEndPoint(IPAddress.Parse(second), 2)));

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    public void AnAddressSaysWhatItCounts(string address, string text) =>
        Assert.Equal(text, ClientAddress.Of(new IPEndPoint(IPAddress.Parse(address), 1)).ToString());

    [Fact]
    public void EachAddressHasItsOwnBudgetAndReleasesItsUnits()
    {
        var budget = new ClientBudget(perAddress: 2);
        ClientAddress a = ClientAddress.Of(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 1));
        ClientAddress b = ClientAddress.Of(new IPEndPoint(IPAddress.Parse("192.0.2.2"), 1));

        Assert.True(budget.TryAcquire(a));
        Assert.True(budget.TryAcquire(a));
        Assert.False(budget.TryAcquire(a));
        Assert.True(budget.TryAcquire(b));
        budget.Release(a);
        Assert.Equal(1, budget.HeldBy(a));
        Assert.True(budget.TryAcquire(a));
        budget.Release(a);
        budget.Release(a);
        budget.Release(b);
        Assert.Equal(0, budget.HeldBy(a));
    }
}
