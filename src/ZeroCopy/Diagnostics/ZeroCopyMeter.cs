using System.Diagnostics.Metrics;
using System.Reflection;

namespace ZeroCopy.Diagnostics;

/// <summary>
/// The library's one <see cref="Meter"/>, named <c>ZeroCopy</c>, shared by the caches' instruments. Instrument names follow
/// the OpenTelemetry naming rules: dot-separated, the unit in the unit field (never in the name), <c>.count</c> for a
/// current number of things.
/// </summary>
internal static class ZeroCopyMeter
{
    public const string Name = "ZeroCopy";

    public static readonly Meter Meter = new(Name, typeof(ZeroCopyMeter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);
}
