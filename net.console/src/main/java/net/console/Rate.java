package net.console;

/**
 * A rate in a {@link Table}: a number, so its column is right-aligned, printed with an SI prefix
 * ({@link Units#si}).
 */
final class Rate extends Number {

    private static final long serialVersionUID = 1L;

    private final double value;

    /** @param value per second */
    Rate(double value) {
        this.value = value;
    }

    @Override
    public int intValue() {
        return (int) value;
    }

    @Override
    public long longValue() {
        return (long) value;
    }

    @Override
    public float floatValue() {
        return (float) value;
    }

    @Override
    public double doubleValue() {
        return value;
    }

    @Override
    public String toString() {
        return Units.si(value);
    }
}
