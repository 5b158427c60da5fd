using Product = CloudMining.Farm.Influx.LineProtocol.WritePrecisionExtensions;
using PackagePrecision = InfluxDB.Client.Api.Domain.WritePrecision;

namespace CloudMining.Farm.Bench.Influx.Legacy;

/// <summary>The two conversions the legacy formatter needs, delegated to the product's <see cref="Product"/>.</summary>
public static class WritePrecisionExtensions
{
    public static long ToUnixTime(this DateTimeOffset time, WritePrecision precision) => Product.ToUnixTime(time, Map(precision));

    public static long Convert(long value, WritePrecision from, WritePrecision to) => Product.Convert(value, Map(from), Map(to));

    private static PackagePrecision Map(WritePrecision precision) => precision switch
    {
        WritePrecision.Ns => PackagePrecision.Ns,
        WritePrecision.Us => PackagePrecision.Us,
        WritePrecision.Ms => PackagePrecision.Ms,
        _ => PackagePrecision.S,
    };
}
