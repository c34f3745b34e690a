set terminal pngcairo size 900,560 font ',10'
set output 'bench/results/scaling.png'
set logscale xy
set format x '10^{%L}'
set format y '10^{%L}'
set grid lc rgb '#dddddd'
set key top left box
set xlabel 'stored entries m n(n+1)/2 (n = 50, 100, 200; m = 1000, 2500, 10000; k = n)'
set ylabel 'seconds per GD iteration'
set title 'GD on Gaussian sensing: ncvx, its peers and the memory floor'
plot 'bench/results/scaling.dat' using 1:2 with linespoints lw 2 pt 7 title 'ncvx (double)', \
     'bench/results/scaling.dat' using 1:4 with linespoints lw 2 pt 7 title 'ncvx (float32 storage)', \
     'bench/results/scaling.dat' using 1:5 with linespoints lw 2 pt 5 title 'numpy', \
     'bench/results/scaling.dat' using 1:6 with linespoints lw 2 pt 5 title 'PyTorch (CPU)', \
     'bench/results/scaling.dat' using 1:3 with lines lw 2 dt 2 lc rgb 'black' title 'floor: one read of the stored operator'
